"""Read an exported module directory into a :class:`~hublint.module.model.LoadedModule`.

Format detection follows tensorflow_hub: a folder with ``tfhub_module.pb`` is
the TF1 Hub format (``ModuleDef.format`` must be 3, with no required feature
hub does not know); otherwise a folder with ``saved_model.pb`` (or
``saved_model.pbtxt``) is a SavedModel; otherwise it is not a module.

Nothing here raises on bad input: every file that is missing, unreadable,
too big, truncated or garbage becomes a :class:`~hublint.module.model.Problem`
and reading goes on with the next part.  The checkpoint's data shards are
only ``stat``-ed, never opened.
"""

from __future__ import annotations

import os
import stat

from google.protobuf.message import DecodeError

from hublint.module import proto
from hublint.module.index import CorruptIndex, read_index, shard_name
from hublint.module.model import SAVED_MODEL, TF1_HUB, AssetFile, LoadedModule, MetaGraph, Problem

MODULE_DEF_FILE = "tfhub_module.pb"
SAVED_MODEL_FILE = "saved_model.pb"
SAVED_MODEL_TEXT_FILE = "saved_model.pbtxt"
INDEX_FILE = os.path.join("variables", "variables.index")
#: Protobuf cannot parse a message of 2 GiB or more; TensorFlow refuses such a GraphDef too.
MAX_SAVED_MODEL_BYTES = (2 << 30) - 1
#: A real tfhub_module.pb is two bytes.
MAX_MODULE_DEF_BYTES = 1 << 20
#: Listing stops here: an assets folder with more files is not a publisher's asset set.
MAX_ASSET_FILES = 10_000
#: Features a TF1 Hub module may require and hub 0.15 still loads (none exist).
KNOWN_REQUIRED_FEATURES: frozenset[str] = frozenset()
#: More shards than this is a corrupt header, not a checkpoint.
MAX_SHARDS = 100_000


def load_module(path: str) -> LoadedModule:
    """Read the module directory at ``path``; never raises on bad input."""
    module = LoadedModule(path=path, format=None)
    problems = module.problems
    if not os.path.isdir(path):
        problems.append(Problem("not a directory"))
        return module
    has_module_def = os.path.lexists(os.path.join(path, MODULE_DEF_FILE))
    if has_module_def:
        module.format = TF1_HUB
        module.module_def = _read_module_def(path, problems)
    _read_saved_model(module)
    if module.format is None:
        return module
    _read_checkpoint(module)
    _read_assets_dir(module)
    return module


def _read_bytes(path: str, name: str, limit: int, problems: list[Problem]) -> bytes | None:
    """The bytes of ``name`` under ``path``, or ``None`` with a problem explaining why not."""
    file = os.path.join(path, name)
    try:
        info = os.stat(file)
        if not stat.S_ISREG(info.st_mode):
            problems.append(Problem(f"{name} is not a regular file", name))
            return None
        if info.st_size > limit:
            problems.append(Problem(
                f"{name} is {info.st_size} bytes, above the {limit}-byte limit of a protobuf message", name
            ))
            return None
        with open(file, "rb") as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        problems.append(Problem(f"cannot read {name}: {exc.strerror or exc}", name))
        return None


def _read_module_def(path: str, problems: list[Problem]):
    data = _read_bytes(path, MODULE_DEF_FILE, MAX_MODULE_DEF_BYTES, problems)
    if data is None:
        return None
    try:
        module_def = proto.ModuleDef.FromString(data)
    except DecodeError:
        problems.append(Problem(f"{MODULE_DEF_FILE} is not a ModuleDef protobuf ({len(data)} bytes)", MODULE_DEF_FILE))
        return None
    if module_def.format != proto.ModuleDef.FORMAT_V3:
        problems.append(Problem(
            f"{MODULE_DEF_FILE} declares format {module_def.format}; tensorflow_hub reads only format 3",
            MODULE_DEF_FILE,
        ))
    unknown = sorted(set(module_def.required_features) - KNOWN_REQUIRED_FEATURES)
    if unknown:
        problems.append(Problem(
            f"{MODULE_DEF_FILE} requires features tensorflow_hub does not know: {', '.join(unknown)}",
            MODULE_DEF_FILE,
        ))
    return module_def


def _read_saved_model(module: LoadedModule) -> None:
    path, problems = module.path, module.problems
    binary = os.path.lexists(os.path.join(path, SAVED_MODEL_FILE))
    # TensorFlow also reads a text-format SavedModel; tensorflow_hub reads only saved_model.pb.
    text = not binary and module.format != TF1_HUB and os.path.lexists(os.path.join(path, SAVED_MODEL_TEXT_FILE))
    if not binary and not text:
        if module.format is None:
            problems.append(Problem(f"not a module: no {SAVED_MODEL_FILE} or {MODULE_DEF_FILE}"))
        else:
            problems.append(Problem(f"no {SAVED_MODEL_FILE}: the module has no graph", SAVED_MODEL_FILE))
        return
    if module.format is None:
        module.format = SAVED_MODEL
    name = SAVED_MODEL_FILE if binary else SAVED_MODEL_TEXT_FILE
    data = _read_bytes(path, name, MAX_SAVED_MODEL_BYTES, problems)
    if data is None:
        return
    module.saved_model_bytes = len(data)
    try:
        saved_model = proto.SavedModel.FromString(data) if binary else _parse_text_saved_model(data)
    except (DecodeError, UnicodeDecodeError, RecursionError) as exc:
        if binary:
            reason = f"{name} is truncated or not a SavedModel protobuf ({len(data)} bytes)"
        else:
            reason = f"{name} is not a SavedModel in text format ({exc})"
        problems.append(Problem(reason, name))
        return
    del data  # the bytes are no longer needed; the parsed message is
    module.saved_model = saved_model
    if not saved_model.meta_graphs:
        problems.append(Problem(f"{name} holds no meta graph ({module.saved_model_bytes} bytes)", name))
    for index, meta_graph_def in enumerate(saved_model.meta_graphs):
        module.meta_graphs.append(MetaGraph(index, meta_graph_def, problems))


def _parse_text_saved_model(data: bytes):
    # text_format costs ~6 ms to import: only the rare text-format SavedModel pays for it.
    from google.protobuf import text_format

    try:
        return text_format.Parse(data.decode("utf-8"), proto.SavedModel())
    except text_format.ParseError as exc:
        raise DecodeError(str(exc)) from exc


def _read_checkpoint(module: LoadedModule) -> None:
    index_path = os.path.join(module.path, INDEX_FILE)
    if not os.path.lexists(index_path):
        module.index_state = "missing"
        return
    try:
        checkpoint = read_index(index_path)
    except CorruptIndex as exc:
        module.index_state = "corrupt"
        module.problems.append(Problem(f"variables/variables.index is corrupt: {exc}", "variables/variables.index"))
        return
    except OSError as exc:
        module.index_state = "corrupt"
        module.problems.append(Problem(f"cannot read variables/variables.index: {exc.strerror or exc}",
                                       "variables/variables.index"))
        return
    if not 0 < checkpoint.num_shards <= MAX_SHARDS:
        module.index_state = "corrupt"
        module.problems.append(Problem(
            f"variables/variables.index is corrupt: its header declares {checkpoint.num_shards} shards",
            "variables/variables.index",
        ))
        return
    module.checkpoint = checkpoint
    module.index_state = "ok"
    for shard_id in range(checkpoint.num_shards):
        name = shard_name(shard_id, checkpoint.num_shards)
        try:
            info = os.stat(os.path.join(module.path, "variables", name))
            module.shards[name] = info.st_size if stat.S_ISREG(info.st_mode) else None
        except OSError:
            module.shards[name] = None


def _read_assets_dir(module: LoadedModule) -> None:
    assets = os.path.join(module.path, "assets")
    module.assets_dir = os.path.isdir(assets)
    if not module.assets_dir:
        return

    def onerror(error: OSError) -> None:
        module.problems.append(Problem(f"cannot list {error.filename or 'assets'}: {error.strerror or error}", "assets"))

    # followlinks=False: a symlinked folder inside assets/ cannot make the walk loop.
    for folder, dirs, files in os.walk(assets, onerror=onerror, followlinks=False):
        dirs.sort()
        for name in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            if len(module.asset_files) >= MAX_ASSET_FILES:
                return
            full = os.path.join(folder, name)
            relative = os.path.relpath(full, assets).replace(os.sep, "/")
            try:
                info = os.stat(full)
                size = info.st_size if stat.S_ISREG(info.st_mode) else None
            except OSError:  # a broken link or a link loop
                size = None
            module.asset_files[relative] = AssetFile(relative, size)
