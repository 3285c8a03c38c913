"""Find what to lint, run the passes (in parallel, with a cache) and collect findings.

A *target* is either a Python file (source pass) or a module directory, one
holding ``saved_model.pb``, ``saved_model.pbtxt`` or ``tfhub_module.pb``
(module pass).  Problems with the targets themselves (missing paths,
unreadable folders) become findings too, so one bad path never costs the rest
of the run.  A folder named on the command line that holds nothing to lint is
reported apart (``RunResult.empty_paths``): the command line calls it a usage
error, while empty sub-folders met during a walk are simply passed.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from dataclasses import dataclass, field

from hublint import __version__, registry
from hublint.config import Config
from hublint.finding import Finding, Location

MODULE_MARKERS = ("saved_model.pb", "saved_model.pbtxt", "tfhub_module.pb")
#: Module archives named explicitly (hublint.module.sources.ARCHIVE_SUFFIXES; spelled here so that
#: discovery does not import the module pass). Archives met while walking a folder are not linted.
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
_PARALLEL_MIN_FILES = 16
_PARALLEL_MIN_MODULES = 4  # a module takes ~0.1-1 s: a pool pays off sooner than for files


@dataclass(frozen=True)
class Target:
    path: str
    kind: str  # "source" or "module"


@dataclass(frozen=True)
class InternalError:
    """A hublint bug met while linting ``path``: reported, exit code 2, the run goes on."""

    path: str
    message: str
    traceback: str


@dataclass(frozen=True)
class EmptyPath:
    """A folder named explicitly that holds no Python file and no module directory."""

    path: str
    reason: str


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    #: module path -> the plain-data summary that ``hublint show`` prints
    module_summaries: dict[str, dict] = field(default_factory=dict)
    internal_errors: list[InternalError] = field(default_factory=list)
    cached_files: int = 0
    #: folders named in ``paths`` under which discovery found nothing to lint, with the reason
    empty_paths: list[EmptyPath] = field(default_factory=list)


# -- discovery ----------------------------------------------------------------------------


def is_module_dir(path: str) -> bool:
    return any(os.path.isfile(os.path.join(path, marker)) for marker in MODULE_MARKERS)


def _is_checkpoint_dir(path: str) -> bool:
    """A module's checkpoint without its graph: named explicitly, the module pass says what is missing."""
    return any(os.path.isfile(os.path.join(path, name))
               for name in (os.path.join("variables", "variables.index"), "variables.index"))


def discover(paths: list[str], config: Config, empty: list[EmptyPath] | None = None
             ) -> tuple[list[Target], list[Finding]]:
    """Targets under ``paths`` (sorted, unique) and findings for paths that cannot be used.

    A folder of ``paths`` that yields no target is appended to ``empty`` with the reason.
    """
    targets: dict[str, Target] = {}
    problems: list[Finding] = []

    def problem(path: str, reason: str) -> None:
        if config.is_enabled("HUB001", path):
            problems.append(registry.get_rule("HUB001").finding(Location(path=path), reason=reason))

    for path in paths:
        if _is_url(path):  # a remote module folder or archive (fsspec): never a local path
            url = path.rstrip("/") if not path.endswith("://") else path
            targets.setdefault(url, Target(url, "module"))
            continue
        path = os.path.normpath(path) if path not in (".", "") else "."
        if not os.path.lexists(path):
            problem(path, "no such file or directory")
            continue
        if os.path.isdir(path):
            if is_module_dir(path) or _is_checkpoint_dir(path):
                targets.setdefault(path, Target(path, "module"))
                continue
            found = _walk(path, config, targets, problem)
            reason = None if found.targets else found.why_empty()
            if reason is not None and empty is not None:
                empty.append(EmptyPath(path, reason))
        elif os.path.basename(path) in MODULE_MARKERS:
            parent = os.path.dirname(path) or "."
            targets.setdefault(parent, Target(parent, "module"))
        elif path.lower().endswith(ARCHIVE_SUFFIXES):  # a module archive, read without extracting it
            targets.setdefault(path, Target(path, "module"))
        else:  # a file named explicitly is linted whatever its extension (or a broken link: HUB001)
            targets.setdefault(path, Target(path, "source"))
    return sorted(targets.values(), key=lambda t: t.path), problems


def _is_url(path: str) -> bool:
    """``https://...``, ``gs://...`` (as hublint.module.sources.is_url; spelled here so that discovery
    does not import the module pass)."""
    scheme, sep, _ = path.partition("://")
    return bool(sep) and scheme.isidentifier() and scheme.lower() != "file"


@dataclass
class _WalkCount:
    """What one walk met, to say why an explicitly named folder gave nothing to lint."""

    targets: int = 0
    files: int = 0
    excluded: int = 0
    unreadable: int = 0

    def why_empty(self) -> str | None:
        """Why the folder gave nothing to lint; ``None`` when a HUB001 finding already says so."""
        if self.unreadable and not self.files:
            return None
        reason = "holds no Python file and no module directory (saved_model.pb, saved_model.pbtxt or tfhub_module.pb)"
        if self.excluded:
            reason += f"; {self.excluded} path(s) under it are excluded by the configuration"
        elif self.files:
            reason += f"; it holds {self.files} other file(s)"
        else:
            reason += "; it is empty"
        return reason


def _walk(root: str, config: Config, targets: dict[str, Target], problem) -> _WalkCount:
    count = _WalkCount()

    def onerror(error: OSError) -> None:
        count.unreadable += 1
        problem(error.filename or root, f"cannot read directory: {error.strerror or error}")

    # followlinks=False: a symlinked folder is not entered, so symlink loops cannot hang the walk.
    for folder, dirs, files in os.walk(root, onerror=onerror, followlinks=False):
        keep = []
        for name in sorted(dirs):
            sub = os.path.join(folder, name)
            if config.is_excluded(sub):
                count.excluded += 1
                continue
            if is_module_dir(sub):
                targets.setdefault(sub, Target(sub, "module"))
                count.targets += 1
            else:
                keep.append(name)
        dirs[:] = keep
        for name in sorted(files):
            count.files += 1
            if name.endswith((".py", ".pyi")):
                path = os.path.join(folder, name)
                if config.is_excluded(path):
                    count.excluded += 1
                else:
                    targets.setdefault(path, Target(path, "source"))
                    count.targets += 1
    return count


# -- running ------------------------------------------------------------------------------


def run(paths: list[str], config: Config, load=None, listener=None) -> RunResult:
    """Lint ``paths`` with ``config``: the one entry point of the CLI and the tests.

    ``load`` (:class:`hublint.dynamic.LoadOptions`, ``--load``) adds the dynamic pass over the modules.
    ``listener`` hears of the work as it goes (the progress bar, ``--format jsonl``):
    ``listener.start(total)`` once the targets are known, then ``listener.done(kind, path,
    findings)`` as each file (``"source"``) or module (``"module"``) is done, with its
    selected findings, sorted.
    """

    def done(kind: str, path: str, findings: list[Finding]) -> None:
        if listener is not None:
            listener.done(kind, path, sorted(f for f in findings if config.is_enabled(f.rule_id, f.location.path)))

    empty: list[EmptyPath] = []
    targets, problems = discover(paths, config, empty)
    result = RunResult(findings=list(problems), empty_paths=empty)
    sources = [t.path for t in targets if t.kind == "source"]
    modules = [t.path for t in targets if t.kind == "module"]
    result.sources = sources
    result.modules = modules
    if listener is not None:
        listener.start(len(sources) + len(modules))
    started = []
    if load is not None and modules:
        from hublint.dynamic.measure import child_count, start_children

        # Started now, the TensorFlow children import it (seconds) while the static passes run.
        started = start_children(child_count(len(modules), config), load)
    try:
        _static_and_dynamic(sources, modules, config, load, result, done, started)
    finally:
        for child in started:  # those the dynamic pass did not need are killed
            child.close()

    # A problem in a file that several linted files reach (a network of the project) is found once per file.
    unique = {(f, f.message): f for f in result.findings if config.is_enabled(f.rule_id, f.location.path)}
    result.findings = sorted(unique.values())
    return result


def _static_and_dynamic(sources, modules, config, load, result, done, started) -> None:
    """The source pass, the module pass and the dynamic pass of ``run``, into ``result``."""
    cache = _Cache.open(config) if config.cache and sources else None
    todo = []
    for path in sources:
        cached = cache.get(path) if cache else None
        if cached is None:
            todo.append(path)
        else:
            result.findings.extend(cached)
            result.cached_files += 1
            done("source", path, cached)

    for path, findings, error, imports in _lint_sources(todo, config):
        if error is not None:
            result.internal_errors.append(error)
            done("source", path, [])
            continue
        result.findings.extend(findings)
        done("source", path, findings)
        if cache:
            cache.put(path, findings, imports)
    if cache:
        cache.save()

    for path, findings, summary, error in _lint_modules(modules, config):
        if error is not None:
            result.internal_errors.append(error)
            done("module", path, [])
            continue
        result.findings.extend(findings)
        result.module_summaries[path] = summary
        done("module", path, findings)
    # Parallel modules finish in any order; the reports list them in the order of discovery.
    result.module_summaries = {p: result.module_summaries[p] for p in modules if p in result.module_summaries}

    if load is not None and modules:
        from hublint.dynamic.measure import measure_modules  # the dynamic pass: TensorFlow runs in a child process

        try:
            measure_modules(modules, load, config, result, started)
        except Exception as exc:  # a hublint bug: report it, keep going
            result.internal_errors.append(_internal_error(modules[0], exc))


def _internal_error(path: str, exc: BaseException) -> InternalError:
    import traceback  # only a hublint bug pays for it

    return InternalError(path, f"{type(exc).__name__}: {exc}", traceback.format_exc())


def _lint_one(path: str, config: Config):
    """``(path, findings, error, imports)``: ``imports`` are the project files the findings depend on."""
    from hublint.source import lint_file_in_project

    try:
        findings, imports = lint_file_in_project(path, config)
        return path, findings, None, imports
    except RecursionError:  # astroid recursing on a pathological tree: the file's fault
        from hublint.source import unparsable
        from hublint.source.parse import Unparsable

        return path, unparsable(path, Unparsable("expressions are nested too deeply to analyse"), config), None, {}
    except Exception as exc:
        return path, [], _internal_error(path, exc), {}


def _lint_chunk(paths: list[str], config: Config):
    return [_lint_one(path, config) for path in paths]


def _lint_sources(paths: list[str], config: Config):
    jobs = config.jobs or os.cpu_count() or 1
    if jobs <= 1 or len(paths) < _PARALLEL_MIN_FILES:
        for path in paths:
            yield _lint_one(path, config)
        return
    # Chunks keep the per-task overhead low; more chunks than workers balance uneven files.
    size = max(1, len(paths) // (jobs * 8))
    chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
    from concurrent.futures import ProcessPoolExecutor  # only runs over many files pay for its import

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for chunk_result in pool.map(_lint_chunk, chunks, [config] * len(chunks)):
            yield from chunk_result


def _lint_module(path: str, config: Config):
    try:
        from hublint.module import lint_module

        findings, summary = lint_module(path, config)
        return path, findings, summary, None
    except Exception as exc:  # a hublint bug: report it, keep going
        return path, [], None, _internal_error(path, exc)


def _lint_modules(modules: list[str], config: Config):
    """``(path, findings, summary, error)`` per module, in the order they finish when parallel."""
    jobs = min(config.jobs or os.cpu_count() or 1, len(modules))
    if jobs <= 1 or len(modules) < _PARALLEL_MIN_MODULES:
        for path in modules:
            yield _lint_module(path, config)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_lint_module, path, config) for path in modules]
        for future in as_completed(futures):
            yield future.result()


# -- cache --------------------------------------------------------------------------------


def _code_stamp() -> str:
    """Changes whenever hublint's own code does (editable installs), not only its version."""
    package = os.path.dirname(os.path.abspath(__file__))
    digest = hashlib.sha256()
    for folder, _, files in sorted(os.walk(package)):
        for name in sorted(files):
            if name.endswith(".py"):
                info = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}:{info.st_size}:{info.st_mtime_ns};".encode())
    return digest.hexdigest()[:12]


class _Cache:
    """Findings of unchanged source files, keyed by path, size and mtime, and by the content digests
    of the project files each one imports, transitively (its findings may be in them, or depend on
    them: :func:`hublint.source.project.imported_files`).  Editing ``nets/tower.py`` re-lints it and
    the files that import it; editing an unrelated file re-lints only that file.

    One JSON file per hublint version and configuration, under ``cache_dir``
    next to the configuration; a cache that cannot be read or written is
    simply not used.
    """

    def __init__(self, file: str, entries: dict):
        self.file = file
        self.entries = entries
        self.dirty = False
        self._digests: dict[str, str | None] = {}  # one digest per imported file per run

    @classmethod
    def open(cls, config: Config) -> "_Cache | None":
        folder = os.path.join(config.root, config.cache_dir)
        file = os.path.join(folder, f"source-{__version__}-{_code_stamp()}-{config.fingerprint()}.json")
        try:
            with open(file, encoding="utf-8") as handle:
                entries = json.load(handle)
            if not isinstance(entries, dict):
                entries = {}
        except (OSError, ValueError):
            entries = {}
        return cls(file, entries)

    @staticmethod
    def _key(path: str) -> list | None:
        try:
            info = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        return [info.st_size, info.st_mtime_ns]

    def get(self, path: str) -> list[Finding] | None:
        entry = self.entries.get(os.path.abspath(path))
        if not entry or len(entry) != 3 or entry[0] != self._key(path) or not isinstance(entry[2], dict):
            return None
        if any(self._digest(imported) != digest for imported, digest in entry[2].items()):
            return None
        try:
            # Findings in the file itself are stored without their path; those in files it reaches keep theirs.
            return [Finding.from_dict({"path": path, **item}) for item in entry[1]]
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, path: str, findings: list[Finding], imports: dict | None = None) -> None:
        key = self._key(path)
        if key is None:
            return
        items = []
        for finding in findings:
            item = finding.to_dict()
            if item["path"] == path:
                del item["path"]
            items.append(item)
        self.entries[os.path.abspath(path)] = [key, items, dict(imports or {})]
        self.dirty = True

    def _digest(self, path: str) -> str | None:
        if path not in self._digests:
            from hublint.source.project import digest_of

            self._digests[path] = digest_of(path)
        return self._digests[path]

    def save(self) -> None:
        if not self.dirty:
            return
        import tempfile  # ~3 ms of imports (shutil, random, bz2, lzma): only when the cache is written

        folder = os.path.dirname(self.file)
        try:
            os.makedirs(folder, exist_ok=True)
            gitignore = os.path.join(folder, ".gitignore")
            if not os.path.exists(gitignore):
                with open(gitignore, "w", encoding="utf-8") as handle:
                    handle.write("# created by hublint\n*\n")
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self.entries, handle, separators=(",", ":"))
            os.replace(tmp, self.file)
        except OSError as exc:
            print(f"hublint: warning: cannot write cache {self.file}: {exc.strerror or exc}", file=sys.stderr)
