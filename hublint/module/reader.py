"""Read an exported module (a folder or an archive) into a :class:`~hublint.module.model.LoadedModule`.

Format detection follows tensorflow_hub: a folder with ``tfhub_module.pb`` is
the TF1 Hub format (``ModuleDef.format`` must be 3, with no required feature
hub does not know); otherwise a folder with ``saved_model.pb`` (or
``saved_model.pbtxt``) is a SavedModel; otherwise it is not a module.

Nothing here raises on bad input: every file that is missing, unreadable,
too big, truncated or garbage becomes a :class:`~hublint.module.model.Problem`
and reading goes on with the next part.  Where the bytes show what the file
really is (a Git LFS pointer, an HTML page, an archive, the other SavedModel
form) or a file lies in the wrong place, the problem names that cause.  The
checkpoint's data shards are only sized (``stat``, the archive listing, a
remote size look-up); a shard small enough to be a
Git LFS pointer has its first bytes read, nothing more.

Files are read through a :class:`~hublint.module.sources.ModuleSource` (a
folder, an archive read without extracting it, a URL), so the messages are
the same wherever the module lies; an archive with unsafe members is refused
unread (HUB401).
"""

from __future__ import annotations

from google.protobuf.message import DecodeError

from hublint.module import proto
from hublint.module.index import MAX_INDEX_BYTES, CorruptIndex, parse_index, shard_name
from hublint.module.model import SAVED_MODEL, TF1_HUB, AssetFile, LoadedModule, MetaGraph, Problem
from hublint.module.sources import ModuleSource, SourceError, open_source

MODULE_DEF_FILE = "tfhub_module.pb"
SAVED_MODEL_FILE = "saved_model.pb"
SAVED_MODEL_TEXT_FILE = "saved_model.pbtxt"
INDEX_FILE = "variables/variables.index"
#: Git LFS pointer files (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md) start so and are < 1 KiB.
LFS_POINTER_PREFIX = b"version https://git-lfs"
LFS_POINTER_MAX_BYTES = 1024
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


def load_module(path: str, source: ModuleSource | None = None) -> LoadedModule:
    """Read the module at ``path`` (a folder or an archive, see :mod:`hublint.module.sources`);
    never raises on bad input."""
    source = source if source is not None else open_source(path)
    try:
        return _load(path, source)
    finally:
        source.close()


def _load(path: str, source: ModuleSource) -> LoadedModule:
    module = LoadedModule(path=path, format=None)
    problems = module.problems
    reason = source.problem()
    if reason is not None:
        problems.append(Problem(reason, remedy=source.remedy()))
        return module
    module.packaging = source.packaging()
    if module.packaging.unsafe:  # HUB401: an unsafe archive is refused, nothing in it is read
        return module
    if source.damage() is not None:
        problems.append(Problem(source.damage()))
    has_module_def = source.exists(MODULE_DEF_FILE)
    if has_module_def:
        module.format = TF1_HUB
        module.module_def = _read_module_def(source, problems)
    _read_saved_model(module, source)
    if module.format is None:
        return module
    _read_checkpoint(module, source)
    _read_assets_dir(module, source)
    return module


def _read_bytes(source: ModuleSource, name: str, limit: int, problems: list[Problem],
                too_big: str = "above the {limit}-byte limit of a protobuf message") -> bytes | None:
    """The bytes of ``name`` in the module, or ``None`` with a problem explaining why not.

    Bytes that are plainly not the file (see :func:`not_the_file`) are a problem too.
    """
    try:
        size = source.size(name)
        if size is None:
            problems.append(Problem(f"{name} is not a regular file", name))
            return None
        if size > limit:
            problems.append(Problem(f"{name} is {size} bytes, {too_big.format(limit=limit)}", name))
            return None
        data = source.read(name, limit)
    except SourceError as exc:
        problems.append(Problem(f"cannot read {name}: {exc}", name))
        return None
    reason = not_the_file(name, data)
    if reason is not None:
        problems.append(Problem(reason, name))
        return None
    return data


def not_the_file(name: str, data: bytes) -> str | None:
    """Why ``data`` is plainly not the file ``name`` but something that took its place, or ``None``.

    Each test is on the first bytes only and cannot match a real protobuf or
    checkpoint index (a protobuf's first byte is a field tag; none of these is).
    """
    if not data:
        return f"{name} is empty (0 bytes)"
    if data.startswith(LFS_POINTER_PREFIX) and len(data) <= LFS_POINTER_MAX_BYTES:
        return f"{name} is a Git LFS pointer, not the file: run `git lfs pull`"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return f"{name} is an HTML page, not the file: the download saved a web page (an error or a login page?)"
    if data.startswith(b"\x1f\x8b"):
        return f"{name} is gzip-compressed data (an archive?), not the file: extract it first"
    if data.startswith(b"PK\x03\x04"):
        return f"{name} is a zip archive, not the file: extract it first"
    return None


def _read_module_def(source: ModuleSource, problems: list[Problem]):
    data = _read_bytes(source, MODULE_DEF_FILE, MAX_MODULE_DEF_BYTES, problems)
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


def _read_saved_model(module: LoadedModule, source: ModuleSource) -> None:
    problems = module.problems
    binary = source.exists(SAVED_MODEL_FILE)
    # TensorFlow also reads a text-format SavedModel; tensorflow_hub reads only saved_model.pb.
    text = not binary and module.format != TF1_HUB and source.exists(SAVED_MODEL_TEXT_FILE)
    if not binary and not text:
        if module.format is None:
            reason = f"not a module: no {SAVED_MODEL_FILE} or {MODULE_DEF_FILE}"
            checkpoint = next((name for name in (INDEX_FILE, "variables.index") if source.exists(name)), None)
            if checkpoint is not None:  # the checkpoint of a module whose graph was not copied
                reason = (f"no {SAVED_MODEL_FILE}, {SAVED_MODEL_TEXT_FILE} or {MODULE_DEF_FILE}: the folder holds "
                          f"a checkpoint ({checkpoint}) but not the graph that goes with it")
            problems.append(Problem(reason))
        else:
            problems.append(Problem(f"no {SAVED_MODEL_FILE}: the module has no graph", SAVED_MODEL_FILE))
        return
    if module.format is None:
        module.format = SAVED_MODEL
    name = SAVED_MODEL_FILE if binary else SAVED_MODEL_TEXT_FILE
    data = _read_bytes(source, name, MAX_SAVED_MODEL_BYTES, problems)
    if data is None:
        return
    module.saved_model_bytes = len(data)
    module.saved_model_file = name
    try:
        saved_model = proto.SavedModel.FromString(data) if binary else _parse_text_saved_model(data)
    except (DecodeError, UnicodeDecodeError, RecursionError) as exc:
        problems.append(Problem(_binary_failure(name, data) if binary else _text_failure(name, data, exc), name))
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

    if b"\0" in data:
        raise DecodeError("binary data")
    try:
        return text_format.Parse(data.decode("utf-8"), proto.SavedModel())
    except text_format.ParseError as exc:
        raise DecodeError(str(exc)) from exc


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not merely a character cut at the end of the sample
            return False
    return not any(byte < 32 and byte not in b"\t\n\r" for byte in head)


def _binary_failure(name: str, data: bytes) -> str:
    """Why the binary ``saved_model.pb`` does not parse, as precisely as the bytes tell."""
    if _looks_like_text(data):
        try:
            _parse_text_saved_model(data)
        except (DecodeError, UnicodeDecodeError, RecursionError):
            return f"{name} is text, not a binary SavedModel protobuf (it starts {data[:40]!r})"
        return (f"{name} holds a SavedModel in text format, which TensorFlow reads only from "
                f"{SAVED_MODEL_TEXT_FILE}: rename it")
    return f"{name} is truncated or not a SavedModel protobuf ({len(data)} bytes)"


def _text_failure(name: str, data: bytes, exc: Exception) -> str:
    """Why ``saved_model.pbtxt`` does not parse: binary bytes, a cut-off file, or a text error."""
    if not _looks_like_text(data):
        try:
            saved_model = proto.SavedModel.FromString(data)
        except (DecodeError, RecursionError):
            saved_model = None
        if saved_model is not None and saved_model.meta_graphs:
            return (f"{name} is a binary SavedModel protobuf, not text: TensorFlow reads it only as "
                    f"{SAVED_MODEL_FILE}, rename it")
        return f"{name} is binary data, not a SavedModel in text format ({len(data)} bytes)"
    if data.count(b"{") > data.count(b"}") or data.count(b'"') % 2:
        return f"{name} is truncated: it ends inside an unfinished message ({exc})"
    return f"{name} is not a SavedModel in text format ({exc})"


def _read_checkpoint(module: LoadedModule, source: ModuleSource) -> None:
    problems = module.problems
    if not source.exists(INDEX_FILE):
        module.index_state = "missing"
        if source.exists("variables.index"):
            # TensorFlow looks only under variables/: say where the checkpoint is, not that it is missing.
            module.index_state = "corrupt"
            graph = SAVED_MODEL_FILE if source.exists(SAVED_MODEL_FILE) else SAVED_MODEL_TEXT_FILE
            problems.append(Problem(
                f"variables.index lies beside {graph} instead of under variables/, where TensorFlow looks for it: "
                "move variables.index and the variables.data-* shards into a variables/ folder",
                "variables.index",
            ))
        return
    module.index_state = "corrupt"
    data = _read_bytes(source, INDEX_FILE, MAX_INDEX_BYTES, problems,
                       too_big="larger than any real checkpoint index (limit {limit})")
    if data is None:
        return
    try:
        checkpoint = parse_index(data)
    except CorruptIndex as exc:
        problems.append(Problem(f"{INDEX_FILE} is corrupt: {exc}", INDEX_FILE))
        return
    if not 0 < checkpoint.num_shards <= MAX_SHARDS:
        problems.append(Problem(f"{INDEX_FILE} is corrupt: its header declares {checkpoint.num_shards} shards",
                                INDEX_FILE))
        return
    module.checkpoint = checkpoint
    module.index_state = "ok"
    for shard_id in range(checkpoint.num_shards):
        name = shard_name(shard_id, checkpoint.num_shards)
        file = f"variables/{name}"
        try:
            module.shards[name] = source.size(file)
        except SourceError:
            module.shards[name] = None
            if source.exists(name):
                problems.append(Problem(
                    f"{name} lies beside the graph instead of under variables/, where TensorFlow looks for it: "
                    "move it into variables/", name,
                ))
            continue
        if module.shards[name] is not None and module.shards[name] <= LFS_POINTER_MAX_BYTES:
            _check_small_shard(source, file, problems)


def _check_small_shard(source: ModuleSource, name: str, problems: list[Problem]) -> None:
    """A shard small enough to be a Git LFS pointer: read its first bytes to tell."""
    try:
        head = source.read(name, len(LFS_POINTER_PREFIX))[: len(LFS_POINTER_PREFIX)]
    except SourceError:
        return  # the size check of HUB211 still judges it
    if head == LFS_POINTER_PREFIX:
        problems.append(Problem(f"{name} is a Git LFS pointer, not the file: run `git lfs pull`", name))


def _read_assets_dir(module: LoadedModule, source: ModuleSource) -> None:
    module.assets_dir = source.is_dir("assets")
    if not module.assets_dir:
        return

    def onerror(message: str) -> None:
        module.problems.append(Problem(message, "assets"))

    for relative, size in source.files_under("assets", onerror):
        if len(module.asset_files) >= MAX_ASSET_FILES:
            return
        module.asset_files[relative] = AssetFile(relative, size)
