"""The project view: the other files that a linted file's code comes from.

The one place where the source pass reads code beyond the file it lints.  It
resolves what an imported name stands for: a function or a module-level value
of another file, or a module.

Where it looks (a bounded policy):

- **Project files.**  ``from nets import tower``, ``from .nets import tower``,
  ``import nets.tower as t`` resolve against two folders: the importing file's
  own folder (Python puts a script's folder on ``sys.path``) and the *project
  root*, the first folder upwards from it without ``__init__.py`` (the folder
  that holds its top package).  So ``hublint main.py``, a folder run and the
  pylint plugin all see the same project around a file, without configuration.
- **tf-slim's source.**  ``tf_slim.*`` resolves into the installed tf-slim
  (found with ``importlib.util.find_spec``, never imported: that needs
  TensorFlow).  Library files are read only for what their arg-scope functions
  set; their networks are not followed as module code.  When tf-slim is not
  installed, the catalogue :data:`hublint.source.ops.LIBRARY_ARG_SCOPES` says
  what its (and TF-Models') arg-scope functions set.
- **Nothing else.**  TensorFlow, Keras, the other libraries hublint knows and
  the standard library are never read: their ops are in :mod:`hublint.source.ops`,
  and TensorFlow's own sources are far too big to parse for a lint.

Each file is parsed at most once per process (a memo keyed by path, size and
mtime; trees stay out of astroid's module cache, so pylint never sees them).
:func:`imported_files` gives the project files a file imports, transitively,
with their content digests: the runner's cache keys a file's findings by them.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import os
import sys
from dataclasses import dataclass
from typing import NamedTuple

from astroid import nodes

from hublint.source.names import _LIBRARIES

#: The library whose source the project view reads (its nets' arg-scope functions).
LIBRARY_SOURCES = ("tf_slim",)
#: At most this many files are parsed per process; beyond it, imports are not followed (HUB004).
MAX_FILES = 512
#: How far ``a = b``, ``from x import b`` re-exports are followed from one name.
_MAX_DEPTH = 8
#: Files larger than this are not read as a dependency (generated code, data in .py files).
_MAX_BYTES = 2_000_000


@dataclass(frozen=True, eq=False)
class SourceModule:
    """One file the project view read: a project file or a library's source file."""

    name: str  # dotted module name, as imported ("nets.tower", "tf_slim.nets.inception_v3")
    path: str  # absolute
    tree: nodes.Module | None  # None: it cannot be read or parsed
    library: bool  # a library's source (read for arg scopes), not the publisher's project

    def display(self, linted: str) -> str:
        """The path as findings show it: relative to the working folder when ``linted`` is relative."""
        return self.path if os.path.isabs(linted) else os.path.relpath(self.path)


@dataclass(frozen=True)
class Unresolved:
    """An imported name the project view could not follow, and why (for HUB004)."""

    reason: str
    missing: bool = False  # the module is not there at all (not: there, but not followable)


class Definition(NamedTuple):
    """A function of another file and the file it is in."""

    function: nodes.FunctionDef
    module: SourceModule


# -- per-process memo --------------------------------------------------------------------------

_modules: dict[str, tuple[tuple, SourceModule]] = {}  # absolute path -> (stat key, module)
_by_tree: dict[int, SourceModule] = {}  # id(tree) -> its module (trees stay alive in _modules)
_scans: dict[str, tuple[tuple, str, tuple]] = {}  # absolute path -> (stat key, digest, imports)
_roots: dict[str, str] = {}  # folder -> project root
_library_roots: dict[str, str | None] = {}


def module_of_tree(tree: nodes.NodeNG) -> SourceModule | None:
    """The module of another file that ``tree`` (a root) was read from, or None for the linted file."""
    return _by_tree.get(id(tree))


def display_path(node: nodes.NodeNG, linted: str) -> str:
    """The path a finding on ``node`` shows: ``linted``, or the other file ``node`` is in."""
    module = _by_tree.get(id(node.root())) if _by_tree else None
    return linted if module is None else module.display(linted)


def project_root(folder: str) -> str:
    """The first folder upwards from ``folder`` (itself included) without ``__init__.py``."""
    found = _roots.get(folder)
    if found is None:
        found = folder
        while os.path.isfile(os.path.join(found, "__init__.py")):
            parent = os.path.dirname(found)
            if parent == found:
                break
            found = parent
        _roots[folder] = found
    return found


def _library_root(top: str) -> str | None:
    """The folder that holds library package ``top`` (site-packages), found without importing it."""
    if top not in _library_roots:
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            spec = None
        locations = list(spec.submodule_search_locations or ()) if spec is not None else []
        _library_roots[top] = os.path.dirname(locations[0]) if locations else None
    return _library_roots[top]


def _file_of(importer: nodes.Module | str) -> str | None:
    path = importer if isinstance(importer, str) else getattr(importer, "file", None)
    if not path or path.startswith("<"):
        return None
    return os.path.abspath(path)


def _search_folders(dotted: str, importer_file: str, level: int) -> tuple[list[str], bool] | None:
    """The folders to look for ``dotted`` in and whether it is a library; None: never read."""
    folder = os.path.dirname(importer_file)
    if level:
        for _ in range(level - 1):
            folder = os.path.dirname(folder)
        return [folder], False
    top = dotted.split(".")[0]
    if top in LIBRARY_SOURCES:
        root = _library_root(top)
        return ([root] if root else []), True
    if top in _LIBRARIES or top in sys.stdlib_module_names:  # TensorFlow, Keras, ...: never read
        return None
    folders = [folder]
    root = project_root(folder)
    if root != folder:
        folders.append(root)
    return folders, False


def module_paths(dotted: str, importer_file: str, level: int = 0) -> tuple[list[str], bool] | None:
    """Where module ``dotted`` (``level`` dots for a relative import) may be: the candidate files,
    first the one that exists if any, and whether it is a library; None for modules never read."""
    found = _search_folders(dotted, importer_file, level)
    if found is None:
        return None
    folders, library = found
    parts = [part for part in dotted.split(".") if part]
    candidates = []
    for folder in folders:
        base = os.path.join(folder, *parts)
        for candidate in (base + ".py", os.path.join(base, "__init__.py")) if parts else (os.path.join(base, "__init__.py"),):
            if os.path.isfile(candidate):
                return [candidate], library
            candidates.append(candidate)
    return candidates, library


def load_module(dotted: str, importer: nodes.Module | str, level: int = 0) -> SourceModule | Unresolved | None:
    """The module ``dotted`` as imported from ``importer``; Unresolved if it cannot be found or read,
    None when it is a module the project view never reads (TensorFlow, the standard library, ...)."""
    importer_file = _file_of(importer)
    if importer_file is None:
        return None
    found = module_paths(dotted, importer_file, level)
    if found is None:
        return None
    paths, library = found
    shown = "." * level + dotted
    if len(paths) != 1 or not os.path.isfile(paths[0]):
        where = "tf-slim is not installed" if library else "no such file in the project"
        return Unresolved(f"{shown} cannot be found ({where})", missing=True)
    module = _load(paths[0], shown, library)
    if module is None:
        return Unresolved(f"{shown} is beyond the {MAX_FILES} files hublint reads per run")
    if module.tree is None:
        return Unresolved(f"{shown} cannot be read or parsed")
    return module


def _stat_key(path: str) -> tuple | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns)


def _load(path: str, name: str, library: bool) -> SourceModule | None:
    from hublint.source.parse import Unparsable, parse_source, read_source, release

    key = _stat_key(path)
    memo = _modules.get(path)
    if memo is not None and memo[0] == key:
        return memo[1]
    if memo is None and len(_modules) >= MAX_FILES:
        return None
    text = read_source(path, _MAX_BYTES)
    tree = None if isinstance(text, Unparsable) else parse_source(text, path, modname=f"hublint.project.{name}")
    if isinstance(tree, Unparsable):
        tree = None
    if tree is not None:
        release(tree)  # out of astroid's module cache: pylint must never be handed this tree
    module = SourceModule(name, path, tree, library)
    if memo is not None:
        _by_tree.pop(id(memo[1].tree), None)
    _modules[path] = (key, module)
    if tree is not None:
        _by_tree[id(tree)] = module
    return module


# -- what an imported name stands for ---------------------------------------------------------


def definition(expr: nodes.NodeNG) -> Definition | Unresolved | None:
    """The function of another file that a ``Name`` / ``Attribute`` stands for (through imports,
    re-exports and aliases); Unresolved with the reason when it is imported but cannot be followed;
    None when it is no import at all, or an import of a module hublint never reads."""
    found = _resolve(expr, 0)
    if isinstance(found, SourceModule):
        return Unresolved(f"{expr.as_string()} is the module {found.name}, not a function")
    if isinstance(found, (Definition, Unresolved)):
        return found
    return None  # a value, or a function of the linted file itself


def imported_value(import_node: nodes.ImportFrom, name: str) -> list:
    """The module-level bindings (``AssignName``s) of ``name`` in the project module
    ``from module import name`` reads it from; empty when it is not a plain value there."""
    found = _imported(import_node, name, 0)
    if isinstance(found, list):
        return found
    return []


def module_value(expr: nodes.Attribute) -> list:
    """The module-level bindings (``AssignName``s) of ``module.NAME`` when ``module`` is a project
    module imported by the linted file (``from pkg import utils``; ``utils.TAGS``); else empty."""
    found = _resolve(expr, 0)
    return [node for node in found if isinstance(node, nodes.AssignName)] if isinstance(found, list) else []


def _resolve(expr: nodes.NodeNG, depth: int):
    """What ``expr`` stands for: a Definition, a SourceModule, a list of AssignNames (a value),
    a node of the linted file, an Unresolved, or None."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(expr, nodes.Attribute):
        base = _resolve(expr.expr, depth + 1)
        if isinstance(base, SourceModule):
            return _member(base, expr.attrname, depth + 1)
        return base if isinstance(base, Unresolved) else None
    if not isinstance(expr, nodes.Name):
        return None
    try:
        _, bindings = expr.lookup(expr.name)
    except Exception:  # astroid raises a few kinds on odd scopes
        return None
    if len(bindings) != 1:
        return None
    return _binding(bindings[0], expr.name, depth)


def _binding(binding: nodes.NodeNG, name: str, depth: int):
    if isinstance(binding, (nodes.FunctionDef, nodes.AsyncFunctionDef)):
        module = _by_tree.get(id(binding.root()))
        return Definition(binding, module) if module is not None else binding
    if isinstance(binding, nodes.ClassDef):
        module = _by_tree.get(id(binding.root()))
        if module is not None:
            return Unresolved(f"{name} is a class in {module.name}, whose methods are not followed")
        return binding
    if isinstance(binding, nodes.ImportFrom):
        return _imported(binding, name, depth)
    if isinstance(binding, nodes.Import):
        for imported, alias in binding.names:
            if alias == name:
                return load_module(imported, binding.root())
            if alias is None and imported.split(".")[0] == name:
                return load_module(name, binding.root())
        return None
    if isinstance(binding, nodes.AssignName):
        parent = binding.parent
        if isinstance(parent, nodes.Assign) and isinstance(parent.value, (nodes.Name, nodes.Attribute)):
            found = _resolve(parent.value, depth + 1)
            if found is not None:
                return found
        return [binding]
    return None


def _imported(binding: nodes.ImportFrom, name: str, depth: int):
    """``from module import name`` (or ``as name``): a member of the module, else its submodule."""
    imported = next((real for real, alias in binding.names if (alias or real) == name and real != "*"), None)
    if imported is None:
        return None
    root = binding.root()
    level = binding.level or 0
    if not binding.modname:  # ``from . import tower``: the package's member or submodule
        importer = _file_of(root)
        if importer is None:
            return None
        folder = os.path.dirname(importer)
        for _ in range(level - 1):
            folder = os.path.dirname(folder)
        package = _submodule(folder, "__init__", "." * level, False)
        if isinstance(package, SourceModule) and imported in (package.tree.locals if package.tree else {}):
            return _member(package, imported, depth + 1)
        return _submodule(folder, imported, "." * level + imported, False) or Unresolved(
            f"{'.' * level}{imported} cannot be found (no such file in the project)", missing=True)
    module = load_module(binding.modname, root, level)
    if isinstance(module, SourceModule):
        return _member(module, imported, depth + 1)
    return module


def _submodule(folder: str, name: str, dotted: str, library: bool) -> SourceModule | Unresolved | None:
    """Module ``name`` of package folder ``folder`` (``__init__``: the package itself), if it is a file."""
    for candidate in (os.path.join(folder, name + ".py"), os.path.join(folder, name, "__init__.py")):
        if os.path.isfile(candidate):
            module = _load(candidate, dotted, library)
            if module is None:
                return Unresolved(f"{dotted} is beyond the {MAX_FILES} files hublint reads per run")
            return module if module.tree is not None else Unresolved(f"{dotted} cannot be read or parsed")
    return None


def _member(module: SourceModule, name: str, depth: int):
    """What ``name`` stands for at the top level of ``module`` (a package's submodule if unbound)."""
    if depth > _MAX_DEPTH or module.tree is None:
        return None
    bindings = module.tree.locals.get(name, ())
    if len(bindings) == 1:
        return _binding(bindings[0], name, depth + 1)
    if not bindings:
        if os.path.basename(module.path) == "__init__.py":
            found = _submodule(os.path.dirname(module.path), name, f"{module.name}.{name}", module.library)
            if found is not None:
                return found
        return Unresolved(f"{module.name} defines no {name}")
    if all(isinstance(b, nodes.AssignName) and isinstance(b.parent, (nodes.Assign, nodes.AnnAssign)) for b in bindings):
        return list(bindings)
    return Unresolved(f"{name} is bound {len(bindings)} times in {module.name}")


# -- what a file imports, for the cache ---------------------------------------------------------


def imports_of(node: nodes.Import | nodes.ImportFrom) -> list[tuple[str, int, bool]]:
    """``(module, level, optional)`` for each module an import statement may load; ``optional``: a
    name of ``from module import name`` that may be a submodule (only one that exists counts)."""
    if isinstance(node, nodes.Import):
        return [(name, 0, False) for name, _ in node.names]
    base = node.modname or ""
    return [(base, node.level or 0, False)] + [
        (f"{base}.{name}" if base else name, node.level or 0, True) for name, _ in node.names if name != "*"
    ]


def imported_files(path: str, imports=None) -> dict[str, str | None]:
    """The project files ``path`` imports, transitively (package ``__init__.py`` files included),
    each with a digest of its content; ``None`` for an imported project module that does not exist.
    ``imports``: what ``path`` itself imports (:func:`imports_of`), when its tree was already read.

    Library sources (tf-slim) are left out: they change with the environment, like hublint itself.
    """
    start = os.path.abspath(path)
    found: dict[str, str | None] = {}
    todo = [start]
    seen = {start}
    while todo and len(seen) <= MAX_FILES:
        current = todo.pop()
        if current == start and imports is not None:
            digest, imports_here = "", tuple(imports)
        else:
            scanned = _scan(current)
            if scanned is None:
                continue
            digest, imports_here = scanned
        if current != start:
            found[current] = digest
        for dotted, level, optional in imports_here:
            for module in _with_packages(dotted, level):
                located = module_paths(module, current, level)
                if located is None or located[1]:
                    continue
                paths = located[0]
                if len(paths) == 1 and os.path.isfile(paths[0]):
                    if paths[0] not in seen:
                        seen.add(paths[0])
                        todo.append(paths[0])
                elif not optional:  # a missing module: its appearance changes what the file means
                    for candidate in paths:
                        found.setdefault(candidate, None)
    return dict(sorted(found.items()))


def digest_of(path: str) -> str | None:
    """A digest of the content of ``path``; None when it is not a readable file."""
    memo = _scans.get(path)
    if memo is not None and memo[0] == _stat_key(path):
        return memo[1]
    try:
        with open(path, "rb") as handle:
            return _digest(handle.read(_MAX_BYTES + 1))
    except OSError:
        return None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:20]


def _with_packages(dotted: str, level: int) -> list[str]:
    """``a.b.c`` and the packages it imports first: ``a``, ``a.b`` (relative imports: as written)."""
    parts = [part for part in dotted.split(".") if part]
    if level:
        return [".".join(parts[: i + 1]) for i in range(len(parts))] or [""]
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _scan(path: str) -> tuple[str, tuple] | None:
    """``(digest, ((module, level, optional), ...))`` of one file: its content digest and what it imports."""
    key = _stat_key(path)
    if key is None:
        return None
    memo = _scans.get(path)
    if memo is not None and memo[0] == key:
        return memo[1], memo[2]
    try:
        with open(path, "rb") as handle:
            data = handle.read(_MAX_BYTES + 1)
    except OSError:
        return None
    digest = _digest(data)
    imports: list = []
    if len(data) <= _MAX_BYTES:
        try:
            tree = ast.parse(data, filename=path)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
        for node in ast.walk(tree) if tree is not None else ():  # as imports_of, on CPython's tree
            if isinstance(node, ast.Import):
                imports.extend((alias.name, 0, False) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                imports.append((base, node.level, False))
                imports.extend((f"{base}.{alias.name}" if base else alias.name, node.level, True)
                               for alias in node.names if alias.name != "*")
    _scans[path] = (key, digest, tuple(dict.fromkeys(imports)))
    return digest, _scans[path][2]
