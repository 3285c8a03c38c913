"""The data the module rules query: one loaded module and its meta graphs.

:func:`hublint.module.reader.load_module` builds a :class:`LoadedModule`;
rules read it and never touch the files themselves.  Whatever could not be
read is listed in ``problems`` (each becomes a HUB002 finding) and the rest
of the module stays available, so the other checks go on where they can.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field

from google.protobuf.message import DecodeError

from hublint.finding import Location
from hublint.module import proto
from hublint.module.graph import Graph, collection_values
from hublint.module.index import BundleIndex, CheckpointEntry

_VARIABLE_OPS = frozenset({"VarHandleOp", "VariableV2", "Variable"})

TF1_HUB = "tf1-hub"
SAVED_MODEL = "saved-model"

ATTACHMENTS_COLLECTION = "hub_module_attachments"
ASSETS_COLLECTION = "saved_model_assets"
#: The value hub writes into asset path constants on export (the real path comes from the asset map).
ASSET_PLACEHOLDER = b"SAVEDMODEL-ASSET"


@dataclass(frozen=True)
class Problem:
    """Part of the module that cannot be read, in one line (a HUB002 finding)."""

    reason: str
    file: str = ""  # relative to the module directory
    tag_set: tuple[str, ...] | None = None
    remedy: str = ""  # what to do when it is not the export's fault (a missing fsspec back-end); "": export again


@dataclass(frozen=True)
class AssetFile:
    """A file under ``assets/``; ``size`` is ``None`` when it cannot be read (broken link, loop)."""

    path: str  # relative to assets/, with forward slashes
    size: int | None


@dataclass(frozen=True)
class GraphVariable:
    """A variable the meta graph declares, and the checkpoint key its value is saved under."""

    name: str
    checkpoint_key: str
    dtype: int  # a DataType value (0 when unknown)
    shape: tuple[int, ...] | None  # None: unknown rank
    trainable: bool


@dataclass(frozen=True)
class AssetRef:
    """An asset the meta graph names: the tensor that receives its path, and the file name."""

    tensor: str
    filename: str


class MetaGraph:
    """One MetaGraphDef of the module, with hub's view of it (tags, signatures, attachments)."""

    def __init__(self, index: int, meta_graph_def, problems: list[Problem]):
        self.index = index
        self.proto = meta_graph_def
        #: The tags, sorted: ``()`` is the default (inference) graph of a hub module.
        self.tag_set: tuple[str, ...] = tuple(sorted(set(meta_graph_def.meta_info_def.tags)))
        self.attachments: dict[str, bytes] = {}
        self.asset_refs: list[AssetRef] = []
        self._read_attachments(problems)
        self._read_assets(problems)

    # -- what hub keeps beside the graph ----------------------------------------------------
    def _read_attachments(self, problems: list[Problem]) -> None:
        for raw in self.collection_values(ATTACHMENTS_COLLECTION):
            try:
                attachment = proto.ModuleAttachment.FromString(raw)
            except (DecodeError, TypeError):
                problems.append(Problem("an entry of hub_module_attachments is not a ModuleAttachment",
                                        "saved_model.pb", self.tag_set))
                continue
            self.attachments[attachment.key] = attachment.value

    def _read_assets(self, problems: list[Problem]) -> None:
        for asset in self.proto.asset_file_def:
            self.asset_refs.append(AssetRef(asset.tensor_info.name, asset.filename))
        if ASSETS_COLLECTION not in self.proto.collection_def:
            return
        for item in self.proto.collection_def[ASSETS_COLLECTION].any_list.value:
            asset = proto.AssetFileDef()
            try:
                if not item.type_url.endswith("/tensorflow.AssetFileDef"):
                    raise DecodeError(item.type_url or "no type")
                asset.ParseFromString(item.value)
            except DecodeError:
                problems.append(Problem("an entry of saved_model_assets is not an AssetFileDef",
                                        "saved_model.pb", self.tag_set))
                continue
            self.asset_refs.append(AssetRef(asset.tensor_info.name, asset.filename))

    @property
    def image_size(self) -> tuple[int, int] | None:
        """``(height, width)`` from the ``image_module_info`` attachment, if any."""
        raw = self.attachments.get("image_module_info")
        if raw is None:
            return None
        try:
            info = proto.ImageModuleInfo.FromString(raw)
        except DecodeError:
            return None
        if not info.HasField("default_image_size"):
            return None
        return (info.default_image_size.height, info.default_image_size.width)

    # -- signatures and collections ---------------------------------------------------------
    @property
    def signatures(self):
        """Signature name → SignatureDef (a protobuf map)."""
        return self.proto.signature_def

    def collection_values(self, key: str) -> list:
        """Values of collection ``key`` (tensor names, bytes, numbers); ``[]`` when absent."""
        return collection_values(self.proto, key)

    @functools.cached_property
    def variable_defs(self) -> list:
        """The VariableDefs of the ``variables`` collection (TF1 graphs), undecodable ones skipped."""
        return [d for d in self.graph.parsed_collection("variables", proto.VariableDef) if d is not None]

    @functools.cached_property
    def trainable_variable_names(self) -> frozenset[str]:
        names = [d for d in self.graph.parsed_collection("trainable_variables", proto.VariableDef) if d is not None]
        return frozenset(v.variable_name.split(":")[0] for v in names)

    @functools.cached_property
    def saved_variables(self) -> list[tuple[str, object]]:
        """``(checkpoint key, SavedVariable)`` of every variable in a TF2 object graph.

        Object-based checkpoints key a variable by its first path from the root
        in breadth-first order (TF's ``ObjectGraphView``), local names escaped,
        plus ``/.ATTRIBUTES/VARIABLE_VALUE``.
        """
        nodes = self.proto.object_graph_def.nodes
        if not nodes:
            return []
        paths: dict[int, tuple[str, ...]] = {0: ()}
        queue = [0]
        for node_id in queue:  # the queue grows while it is walked: breadth-first
            for child in nodes[node_id].children:
                if child.node_id not in paths and 0 <= child.node_id < len(nodes):
                    paths[child.node_id] = paths[node_id] + (_escape_local_name(child.local_name),)
                    queue.append(child.node_id)
        found = []
        for node_id, path in sorted(paths.items()):
            node = nodes[node_id]
            if node.WhichOneof("kind") == "variable":
                found.append(("/".join(path + (".ATTRIBUTES", "VARIABLE_VALUE")), node.variable))
        return found

    @functools.cached_property
    def variables(self) -> list[GraphVariable]:
        """The variables of this meta graph, in declaration order.

        TF1 graphs list them in the ``variables`` collection (a graph without it:
        every VarHandleOp / VariableV2 node); TF2 SavedModels in the object graph.
        """
        if self.object_graph is not None:
            # Named by object path (``dense_1/kernel``, ``encoder/w``), as the findings name them.
            return [
                GraphVariable(
                    name=variable.path or variable.checkpoint_key,
                    checkpoint_key=variable.checkpoint_key,
                    dtype=variable.dtype,
                    shape=variable.shape,
                    trainable=variable.trainable,
                )
                for variable in self.object_graph.variables
            ]
        trainable = self.trainable_variable_names
        names: list[str] = []
        for variable_def in self.variable_defs:
            full_name = variable_def.save_slice_info_def.full_name
            names.append(full_name or variable_def.variable_name.split(":")[0])
        if not self.variable_defs:
            names = [n.name for n in self.proto.graph_def.node if n.op in _VARIABLE_OPS]
        found = []
        for name in dict.fromkeys(names):
            node = self.graph.nodes.get(name)
            dtype, shape = 0, None
            if node is not None:
                if "dtype" in node.attr:
                    dtype = node.attr["dtype"].type
                if "shape" in node.attr and not node.attr["shape"].shape.unknown_rank:
                    shape = tuple(d.size for d in node.attr["shape"].shape.dim)
            found.append(GraphVariable(name, name, dtype, shape, name in trainable))
        return found

    # -- the graph itself (the graph-semantics layer) ---------------------------------------
    @functools.cached_property
    def graph(self):
        """:class:`hublint.module.graph.Graph` over this meta graph (built once)."""
        return Graph(self.proto)

    @functools.cached_property
    def object_graph(self):
        """:class:`hublint.module.analysis.object_graph.ObjectGraph` of a TF2 SavedModel; ``None`` without one."""
        if not self.proto.object_graph_def.nodes:
            return None
        from hublint.module.analysis.object_graph import ObjectGraph

        return ObjectGraph(self.graph)

    @functools.cached_property
    def facts(self):
        """The semantic facts (kernels, regularization, dropout, batch norm) of this meta graph."""
        from hublint.module.analysis import analyze

        return analyze(self)

    def __repr__(self) -> str:
        return f"MetaGraph(tag_set={self.tag_set!r})"


def _escape_local_name(name: str) -> str:
    # TF's trackable naming: "." and "/" inside a local name must not read as separators.
    return name.replace(".", "..").replace("/", ".S")


@dataclass
class LoadedModule:
    """Everything read from one module directory."""

    path: str
    format: str | None  # TF1_HUB, SAVED_MODEL, or None when this is not a module at all
    module_def: object = None  # proto.ModuleDef of tfhub_module.pb
    saved_model: object = None  # proto.SavedModel
    saved_model_bytes: int = 0
    saved_model_file: str = ""  # saved_model.pb or saved_model.pbtxt: the file the graph was read from
    meta_graphs: list[MetaGraph] = field(default_factory=list)
    #: The checkpoint index; ``None`` when ``variables/variables.index`` is missing or unreadable.
    checkpoint: BundleIndex | None = None
    index_state: str = "missing"  # "ok", "missing" or "corrupt"
    #: shard file name → size in bytes, ``None`` when the shard is missing.
    shards: dict[str, int | None] = field(default_factory=dict)
    assets_dir: bool = False
    asset_files: dict[str, AssetFile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: How the module is packed (:class:`hublint.module.sources.Packaging`); ``None`` when the path
    #: could not be opened at all.
    packaging: object = None

    @property
    def variables(self) -> dict[str, CheckpointEntry] | None:
        """Checkpoint key → entry, or ``None`` without a readable index."""
        return self.checkpoint.entries if self.checkpoint is not None else None

    @property
    def is_tf1_hub(self) -> bool:
        return self.format == TF1_HUB

    def location(self, meta_graph: MetaGraph | None = None, node: str = "", file: str = "") -> Location:
        """Where a finding about ``meta_graph`` / ``node`` of this module points.

        A finding about one file rather than a meta graph (a damaged index, a
        missing shard) points at that file: ``file`` is relative to the module.
        """
        if meta_graph is not None:
            return Location(path=self.file_path(), tag_set=meta_graph.tag_set, node=node, module=self.path)
        return Location(path=self.file_path(file), node=node, module=self.path)

    @property
    def in_archive(self) -> bool:
        return self.packaging is not None and self.packaging.archive

    def file_path(self, file: str = "") -> str:
        """The path a finding names for ``file`` (relative to the module root; ``""``: the module).

        Inside an archive: ``module.tar.gz!/saved_model.pb`` (``!/`` then the member's name).
        """
        if self.in_archive:
            root = self.packaging.root
            return self.member_path(f"{root}/{file}" if root and file else (root or file))
        return os.path.join(self.path, *file.split("/")) if file else self.path

    def member_path(self, name: str) -> str:
        """The path a finding names for ``name``, relative to the folder or archive root."""
        if self.in_archive:
            return f"{self.path}!/{name}" if name else self.path
        return os.path.join(self.path, *name.split("/")) if name else self.path

    def meta_graph(self, tag_set: tuple[str, ...] = ()) -> MetaGraph | None:
        """The meta graph with exactly ``tag_set`` (sorted tags), or ``None``."""
        for meta_graph in self.meta_graphs:
            if meta_graph.tag_set == tuple(sorted(tag_set)):
                return meta_graph
        return None
