import posixpath

from hublint.finding import Location, Severity
from hublint.rule import ModuleRule

_MARKERS = ("saved_model.pb", "saved_model.pbtxt", "tfhub_module.pb")
#: Folder names whose whole content is stray, and the kind of stray file each is.
_STRAY_FOLDERS = {
    "__MACOSX": "macOS archive metadata",
    "__pycache__": "compiled Python files",
    ".ipynb_checkpoints": "notebook checkpoints",
    ".git": "a Git repository",
}
_DESKTOP_FILES = (".DS_Store", "Thumbs.db", "desktop.ini")
_BACKUP_SUFFIXES = ("~", ".swp", ".swo", ".bak", ".orig")
_CHECKPOINT = "training checkpoints outside variables/"
_NESTED = "other copies of the module (nested or beside it)"
_FIXES = {
    "macOS archive metadata": "pack with `tar` (or `zip -X`) rather than the Finder's Compress, or delete them",
    "desktop metadata": "delete them before packing",
    "compiled Python files": "delete them before packing: a module holds no Python code",
    "editor backups": "delete them before packing",
    "notebook checkpoints": "delete them before packing",
    "a Git repository": "pack the exported folder, not the repository",
    _CHECKPOINT: "export again into an empty folder: the module's checkpoint is variables/, nothing else",
    _NESTED: "publish each module on its own: export into an empty folder and pack only that",
}


def stray_kind(name: str, root: str) -> tuple[str, str] | None:
    """``(kind, the name to show)`` when member ``name`` should not ship with a module rooted at ``root``."""
    parts = name.split("/")
    for depth, part in enumerate(parts):
        if part in _STRAY_FOLDERS:
            return _STRAY_FOLDERS[part], "/".join(parts[: depth + 1]) + "/"
    base = parts[-1]
    if base.startswith("._"):  # AppleDouble files: what __MACOSX/ holds when unpacked beside
        return "macOS archive metadata", name
    if base in _DESKTOP_FILES:
        return "desktop metadata", name
    if base.endswith((".pyc", ".pyo")):
        return "compiled Python files", name
    if base.endswith(_BACKUP_SUFFIXES) or base.startswith(".#") or (len(base) > 1 and base[0] == base[-1] == "#"):
        return "editor backups", name
    if base in _MARKERS and posixpath.dirname(name) != root:  # below the module, or a second one beside it
        return _NESTED, posixpath.dirname(name) + "/"
    if root and not name.startswith(root + "/"):
        return None  # beside the module in the archive: HUB403's concern, unless it is junk
    inside = name[len(root) + 1:] if root else name
    folder = posixpath.dirname(inside)
    if folder.split("/")[0] in ("variables", "assets"):
        return None
    # variables.index / variables.data-* beside the graph are a misplaced checkpoint (HUB002 says so).
    if not folder and base.startswith("variables."):
        return None
    if (base == "checkpoint" or ".ckpt" in base or base.endswith((".index", ".meta"))
            or ("-of-" in base and ".data-" in base) or base.startswith("events.out.tfevents.")):
        return _CHECKPOINT, name
    return None


class StrayFiles(ModuleRule):
    id = "HUB402"
    name = "stray-files"
    severity = Severity.WARNING
    summary = (
        "Reports files a module should not ship, in a module folder or archive: macOS metadata "
        "(`__MACOSX/`, `._*`, `.DS_Store`), compiled Python (`*.pyc`, `__pycache__/`), editor backups "
        "(`*~`, `*.swp`, `*.bak`), notebook checkpoints, a `.git` folder, training checkpoints outside "
        "`variables/` (`model.ckpt-*`, `checkpoint`, `events.out.tfevents.*`), and nested copies of the "
        "module (a `saved_model.pb` in a subfolder). One finding per kind, listing the files."
    )
    rationale = (
        "Every consumer downloads and caches what the module ships. Training checkpoints and nested "
        "copies can double or triple the download, and a checkpoint or an older copy beside the real "
        "one leaves consumers guessing which weights are published; TF Hub's upload validation rejected "
        "archives with `__MACOSX/` and misplaced files."
    )
    message = "the module ships {kind}: {names}"
    fix = "{fix}"
    good_modules = ("dense_l2", "text_embedding", "tf2_reusable", "tf1_saved_model_pbtxt")
    bad = (
        "import shutil\n\n"
        "# The training folder holds the checkpoints and event files of the run as well.\n"
        "shutil.make_archive('module', 'gztar', root_dir='/tmp/training_run/export')\n",
    )
    good = (
        "import shutil\n\n"
        "# Export into a fresh folder that holds nothing but the module.\n"
        "shutil.make_archive('module', 'gztar', root_dir='/tmp/export/1700000000')\n",
    )

    def check(self, module, config):
        packaging = module.packaging
        if packaging is None or packaging.unsafe:
            return
        found: dict[str, list[str]] = {}
        for member in packaging.members:
            kind = stray_kind(member.name, packaging.root)
            if kind is None:
                continue
            names = found.setdefault(kind[0], [])
            if kind[1] not in names:
                names.append(kind[1])
        for kind, names in found.items():
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            location = Location(path=module.member_path(names[0].rstrip("/")), module=module.path)
            yield self.finding(location, kind=kind, names=shown, fix=_FIXES[kind])
