"""The graph model: one meta graph's nodes, edges and constant values, read without TensorFlow.

:class:`Graph` wraps a ``MetaGraphDef`` (any protobuf message with TensorFlow's
field names: TensorFlow's own classes or :mod:`hublint.module.proto`).  It
indexes the top-level ``graph_def.node`` once, with a consumer map, and answers
the questions the analysis asks: what feeds a node, who reads a tensor, what an
attribute is (with the op's default when the export stripped it), what value a
constant holds.

The function library (``graph_def.library.function``) is indexed separately:
:attr:`Graph.functions` maps each function name to a :class:`FunctionBody`
with the same interface.  Node names are only unique within one function, and
TF2 SavedModels keep almost everything there, so each body is its own scope; a
function's arguments are not nodes (``data_inputs`` names them, ``node``
returns ``None`` for them).
"""

from __future__ import annotations

import functools
import math
import struct
from typing import Iterable, Iterator

# DataType enum values (tensorflow/core/framework/types.proto) and the names users know.
DTYPE_NAMES = {
    0: "invalid", 1: "float32", 2: "float64", 3: "int32", 4: "uint8", 5: "int16", 6: "int8",
    7: "string", 8: "complex64", 9: "int64", 10: "bool", 11: "qint8", 12: "quint8", 13: "qint32",
    14: "bfloat16", 15: "qint16", 16: "quint16", 17: "uint16", 18: "complex128", 19: "float16",
    20: "resource", 21: "variant", 22: "uint32", 23: "uint64",
}
_REF_OFFSET = 100

# Typed value field of TensorProto per dtype, and the struct code of its tensor_content.
_TYPED_FIELD = {
    1: "float_val", 2: "double_val", 3: "int_val", 4: "int_val", 5: "int_val", 6: "int_val",
    7: "string_val", 9: "int64_val", 10: "bool_val", 14: "half_val", 17: "int_val", 19: "half_val",
    22: "uint32_val", 23: "uint64_val",
}
_CONTENT_CODE = {
    1: "f", 2: "d", 3: "i", 4: "B", 5: "h", 6: "b", 9: "q", 10: "?", 17: "H", 19: "e",
    22: "I", 23: "Q",
}

# Defaults of attributes the analysis relies on, as registered by TensorFlow, for
# graphs whose stripped_op_list lacks the op (it should not, but exports vary).
_BUILTIN_DEFAULTS = {
    ("FusedBatchNorm", "is_training"): True,
    ("FusedBatchNormV2", "is_training"): True,
    ("FusedBatchNormV3", "is_training"): True,
    ("FusedBatchNorm", "epsilon"): 0.0001,
    ("FusedBatchNormV2", "epsilon"): 0.0001,
    ("FusedBatchNormV3", "epsilon"): 0.0001,
    ("FusedBatchNormV2", "exponential_avg_factor"): 1.0,
    ("FusedBatchNormV3", "exponential_avg_factor"): 1.0,
    ("FusedBatchNorm", "exponential_avg_factor"): 1.0,
}

# Ops that pass a value through unchanged, for constant folding and variable tracing.
PASS_THROUGH_OPS = frozenset({"Identity", "Snapshot", "StopGradient", "PreventGradient", "IdentityN"})

#: Constants bigger than this are not decoded (the analysis only needs scalars and small arrays).
MAX_DECODED_ELEMENTS = 4096


def node_name(tensor: str) -> str:
    """The node of an input or tensor name: ``^a`` → ``a``, ``a:1`` → ``a``, ``a:output:0`` → ``a``."""
    return tensor.lstrip("^").partition(":")[0]


def dtype_name(value: int) -> str:
    """``1`` → ``"float32"``, ``101`` → ``"float32_ref"``."""
    if value > _REF_OFFSET:
        return DTYPE_NAMES.get(value - _REF_OFFSET, str(value - _REF_OFFSET)) + "_ref"
    return DTYPE_NAMES.get(value, str(value))


def shape_dims(shape) -> list[int] | None:
    """A TensorShapeProto as a list of sizes (-1 unknown), ``None`` for unknown rank."""
    if getattr(shape, "unknown_rank", False):
        return None
    return [int(dim.size) for dim in shape.dim]


def tensor_value(tensor, limit: int = MAX_DECODED_ELEMENTS):
    """The value of a TensorProto: a Python scalar for one element, a flat tuple otherwise.

    ``None`` when the dtype is not a plain number/bool/string or the tensor has
    more than ``limit`` elements.  ``tensor_content`` is raw little-endian; the
    typed ``*_val`` fields broadcast their last value (one value fills the tensor).
    """
    dtype = int(tensor.dtype)
    dims = shape_dims(tensor.tensor_shape) or []
    count = math.prod(dims) if dims else 1
    if count < 0 or count > limit:
        return None
    content = bytes(tensor.tensor_content)
    if content:
        if dtype == 14:  # bfloat16: the high half of a float32
            values = [struct.unpack("<f", b"\0\0" + content[i:i + 2])[0] for i in range(0, len(content), 2)]
        elif dtype in _CONTENT_CODE:
            code = _CONTENT_CODE[dtype]
            size = struct.calcsize("<" + code)
            values = list(struct.unpack(f"<{len(content) // size}{code}", content[: len(content) // size * size]))
        else:
            return None
    else:
        field = _TYPED_FIELD.get(dtype)
        if field is None:
            return None
        values = list(getattr(tensor, field, ()))
        if dtype == 19:
            values = [struct.unpack("<e", struct.pack("<H", bits & 0xFFFF))[0] for bits in values]
        elif dtype == 14:
            values = [struct.unpack("<f", struct.pack("<I", (bits & 0xFFFF) << 16))[0] for bits in values]
        elif dtype == 10:
            values = [bool(v) for v in values]
        if not values:
            values = [b"" if dtype == 7 else (False if dtype == 10 else 0)]
        if len(values) < count:
            values += [values[-1]] * (count - len(values))
    if dtype in (1, 14, 19):
        values = [float32(v) for v in values]
    if count == 1 and len(values) >= 1:
        return values[0]
    return tuple(values[:count])


def float32(value: float) -> float:
    """The shortest decimal that is the same float32 as ``value`` (``1e-4``, not ``9.99999974e-05``).

    Graphs store hyperparameters as float32; users wrote them in decimal, and
    messages and threshold comparisons should see what they wrote.
    """
    if not math.isfinite(value):
        return value
    packed = struct.pack("<f", value)
    for digits in range(1, 10):
        candidate = float(f"{value:.{digits}g}")
        if struct.pack("<f", candidate) == packed:
            return candidate
    return value


def attr_value(value):
    """An AttrValue as a Python value: float, int, bool, bytes, dtype name, shape list, tensor value, list."""
    kind = _which(value)
    if kind is None:
        return None
    if kind == "list":
        return _list_value(value.list)
    if kind == "type":
        return dtype_name(value.type)
    if kind == "shape":
        return shape_dims(value.shape)
    if kind == "tensor":
        return tensor_value(value.tensor)
    if kind == "func":
        return value.func.name
    if kind == "placeholder":
        return None
    if kind == "f":
        return float32(value.f)
    return getattr(value, kind)


def collection_values(meta_graph_def, key: str) -> list:
    """Values of collection ``key`` of a MetaGraphDef (tensor names, bytes, numbers); ``[]`` if absent."""
    if key not in meta_graph_def.collection_def:
        return []
    collection = meta_graph_def.collection_def[key]
    kind = _which(collection, "kind")
    return list(getattr(collection, kind).value) if kind else []


def _which(message, oneof: str = "value") -> str | None:
    """The set field of ``message``'s oneof (by its TensorFlow name, else the first set field)."""
    try:
        return message.WhichOneof(oneof)
    except (ValueError, TypeError, AttributeError):
        for descriptor, _ in message.ListFields():
            return descriptor.name
        return None


def _list_value(values) -> list:
    for field in ("s", "i", "f", "b"):
        items = list(getattr(values, field, ()))
        if items:
            return [float32(v) for v in items] if field == "f" else items
    if len(values.type):
        return [dtype_name(t) for t in values.type]
    if len(values.shape):
        return [shape_dims(s) for s in values.shape]
    if len(values.tensor):
        return [tensor_value(t) for t in values.tensor]
    if len(values.func):
        return [f.name for f in values.func]
    return []


class _NodeIndex:
    """Nodes of one scope (the graph, or one function body) with their edges."""

    def __init__(self, nodes: Iterable, op_defaults: dict[str, dict]):
        self.nodes: dict = {node.name: node for node in nodes}
        self._op_defaults = op_defaults
        # Reading a repeated protobuf field builds new Python strings each time: each node's
        # edges are decoded once, when first asked for (most nodes never are).
        self._inputs: dict[str, tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator:
        return iter(self.nodes.values())

    def node(self, name: str):
        """The NodeDef called ``name`` (a tensor or input name is accepted), or ``None``."""
        if ":" in name or name[:1] == "^":  # most names asked for are already node names
            name = node_name(name)
        return self.nodes.get(name)

    def tensor_node(self, tensor: str):
        """The NodeDef producing tensor ``tensor`` (``"x:0"``), or ``None``."""
        return self.node(tensor)

    def data_inputs(self, node) -> list[str]:
        """Names of the nodes ``node`` reads, in input order, without ``^control`` inputs."""
        name = node.name
        inputs = self._inputs.get(name)
        if inputs is None:
            inputs = tuple(raw.partition(":")[0] for raw in node.input if raw[:1] != "^")
            if self.nodes.get(name) is node:  # not a node from another scope
                self._inputs[name] = inputs
        return list(inputs)

    @functools.cached_property
    def _op_positions(self) -> dict[str, list[int]]:
        positions: dict[str, list[int]] = {}
        for position, node in enumerate(self.nodes.values()):
            positions.setdefault(node.op, []).append(position)
        return positions

    def with_ops(self, ops: Iterable[str]) -> list:
        """The nodes whose op is one of ``ops``, in graph order (one scan of the graph, shared)."""
        positions = [p for op in ops for p in self._op_positions.get(op, ())]
        if not positions:
            return []
        positions.sort()
        order = self._order
        return [order[p] for p in positions]

    @functools.cached_property
    def _order(self) -> list:
        return list(self.nodes.values())

    def _consumer_table(self, readers: Iterable) -> dict[str, tuple]:
        table: dict[str, list] = {}
        data_inputs = self.data_inputs
        for node in readers:
            for name in dict.fromkeys(data_inputs(node)):
                table.setdefault(name, []).append(node)
        return {name: tuple(found) for name, found in table.items()}

    @functools.cached_property
    def _consumers(self) -> dict[str, tuple]:
        return self._consumer_table(self.nodes.values())

    def consumers(self, name: str, ops: frozenset[str] | None = None) -> tuple:
        """The NodeDefs that read an output of node ``name`` (data edges only), in graph order.

        With ``ops``, only the readers whose op is one of them: a walk that can only
        go through a few ops then decodes the edges of those nodes alone.
        """
        if ops is None:
            table = self._consumers
        else:
            table = self._consumers_among.get(ops)
            if table is None:
                table = self._consumers_among[ops] = self._consumer_table(self.with_ops(ops))
        return table.get(node_name(name), ())

    @functools.cached_property
    def _consumers_among(self) -> dict[frozenset[str], dict[str, tuple]]:
        return {}

    @functools.cached_property
    def _control_consumers(self) -> dict[str, tuple]:
        table: dict[str, list] = {}
        for node in self.nodes.values():
            for raw in node.input:
                if raw.startswith("^"):
                    table.setdefault(raw[1:], []).append(node)
        return {name: tuple(readers) for name, readers in table.items()}

    def control_consumers(self, name: str) -> tuple:
        """The NodeDefs that run only after node ``name`` (``^name`` control inputs)."""
        return self._control_consumers.get(node_name(name), ())

    def attr(self, node, key: str, default=None):
        """Attribute ``key`` of ``node`` as a Python value (see :func:`attr_value`).

        A missing attribute means the op's default: exports strip defaults, so it
        is read from ``meta_info_def.stripped_op_list``, else from TensorFlow's
        registered default for the few attributes the analysis needs.
        """
        if key in node.attr:
            return attr_value(node.attr[key])
        op_attrs = self._op_defaults.get(node.op)
        if op_attrs is not None and key in op_attrs:
            return op_attrs[key]
        return _BUILTIN_DEFAULTS.get((node.op, key), default)

    def const_value(self, name: str, _depth: int = 0):
        """The value of the constant behind ``name``, or ``None`` when it is not a constant.

        Follows Identity-like ops and Cast, so ``decay/read`` or a cast momentum
        still gives its number; a variable read (ReadVariableOp, VariableV2) has
        no value in the graph and gives ``None``.
        """
        node = self.node(name)
        if node is None or _depth > 16:
            return None
        if node.op in ("Const", "HostConst"):
            return self.attr(node, "value")
        if node.op in PASS_THROUGH_OPS or node.op == "Cast":
            inputs = self.data_inputs(node)
            if not inputs:
                return None
            value = self.const_value(inputs[0], _depth + 1)
            if node.op == "Cast" and isinstance(value, (int, float, bool)):
                target = self.attr(node, "DstT")
                if target in ("float16", "float32", "float64", "bfloat16"):
                    return float(value)
                if target in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"):
                    return int(value)
                if target == "bool":
                    return bool(value)
            return value
        return None

    def scalar(self, name: str) -> float | None:
        """``const_value`` as one float, when it is a number or a tensor of one repeated number."""
        value = self.const_value(name)
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, tuple) and value and all(isinstance(v, (int, float)) for v in value):
            if all(v == value[0] for v in value):
                return float(value[0])
        return None

    def walk_back(self, start: Iterable[str], stop=None) -> set[str]:
        """Names of every node reachable backwards over data edges from ``start``.

        ``stop(node)`` returning true keeps the walk from going past that node
        (the node itself is included).
        """
        seen: set[str] = set()
        todo = [node_name(s) for s in start]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            node = self.nodes.get(name)
            if node is None or (stop is not None and stop(node)):
                continue
            todo.extend(i for i in self.data_inputs(node) if i not in seen)
        return seen


class FunctionBody(_NodeIndex):
    """One function of the graph's library: its nodes, arguments and returned tensors."""

    def __init__(self, function, op_defaults: dict[str, dict]):
        super().__init__(function.node_def, op_defaults)
        self.name: str = function.signature.name
        self.proto = function
        self.arguments: tuple[str, ...] = tuple(arg.name for arg in function.signature.input_arg)


class Graph(_NodeIndex):
    """The top-level graph of one MetaGraphDef, plus its function library."""

    def __init__(self, meta_graph_def):
        self.proto = meta_graph_def
        op_defaults: dict[str, dict] = {}
        for op in meta_graph_def.meta_info_def.stripped_op_list.op:
            defaults = {a.name: attr_value(a.default_value) for a in op.attr if a.HasField("default_value")}
            op_defaults[op.name] = defaults
        super().__init__(meta_graph_def.graph_def.node, op_defaults)

    @functools.cached_property
    def functions(self) -> dict[str, FunctionBody]:
        """Function name → :class:`FunctionBody`, for every function of the library."""
        return {
            f.signature.name: FunctionBody(f, self._op_defaults)
            for f in self.proto.graph_def.library.function
        }

    def scopes(self) -> Iterator[_NodeIndex]:
        """The top-level graph, then every function body."""
        yield self
        yield from self.functions.values()

    def collection(self, key: str) -> list:
        """Values of collection ``key``: tensor names (node_list) or bytes (bytes_list); ``[]`` if absent."""
        return collection_values(self.proto, key)

    def parsed_collection(self, key: str, message_class) -> tuple:
        """The values of bytes collection ``key`` parsed as ``message_class``; ``None`` for one that does not parse.

        Parsed once per graph: the analysis and the rules all read the variables collections.
        """
        parsed = self._parsed.get((key, message_class))
        if parsed is None:
            parsed = tuple(_parse(message_class, raw) for raw in self.collection(key))
            self._parsed[key, message_class] = parsed
        return parsed

    @functools.cached_property
    def _parsed(self) -> dict:
        return {}


def _parse(message_class, raw):
    try:
        return message_class.FromString(raw)
    except Exception:  # a corrupt entry (or not bytes at all): the reader reports the module itself
        return None
