"""What the signature rules share: the tensors a signature names, input shapes, and what an input is fed instead of."""

from __future__ import annotations

from typing import NamedTuple

from hublint.module import proto
from hublint.module.graph import node_name

#: Ops that are a fed input of a signature.
PLACEHOLDER_OPS = frozenset({"Placeholder", "PlaceholderV2", "PlaceholderWithDefault"})
#: Ops that hold a variable's value: an input computed from one skips reading it when fed.
VARIABLE_OPS = frozenset({"VarHandleOp", "VariableV2", "Variable", "_VarHandlesOp"})


def tensor_names(info) -> list[str]:
    """Every graph tensor a TensorInfo refers to (three for a sparse tensor, the components of a composite)."""
    kind = info.WhichOneof("encoding")
    if kind == "name":
        return [info.name]
    if kind == "coo_sparse":
        sparse = info.coo_sparse
        return [n for n in (sparse.indices_tensor_name, sparse.values_tensor_name, sparse.dense_shape_tensor_name) if n]
    if kind == "composite_tensor":
        return [name for component in info.composite_tensor.components for name in tensor_names(component)]
    return []


def dims(info) -> list[int] | None:
    """The shape of a dense TensorInfo as sizes (-1 unknown); ``None`` for unknown rank."""
    if info.tensor_shape.unknown_rank:
        return None
    return [dim.size for dim in info.tensor_shape.dim]


def is_float(info) -> bool:
    return info.dtype in (proto.DT_FLOAT, proto.DT_HALF, proto.DT_DOUBLE, proto.DT_BFLOAT16)


def shape_text(shape: list[int] | None) -> str:
    if shape is None:
        return "<unknown rank>"
    return "[" + ", ".join("None" if d < 0 else str(d) for d in shape) + "]"


class SkippedWork(NamedTuple):
    """What feeding a signature input skips: the variables and other inputs it is computed from."""

    variables: tuple[str, ...]
    inputs: tuple[str, ...]  # keys of the other inputs of the same signature


def skipped_work(graph, signature, key: str) -> SkippedWork | None:
    """What a consumer who feeds input ``key`` of ``signature`` skips, or ``None`` when nothing is lost.

    Feeding replaces a tensor (TF1 feeds, hub's ``input_map``), so the graph that
    computes it does not run. That is harmless when the computation starts only from
    placeholders and constants (an ``Identity`` of a placeholder, the features
    ``ParseExampleV2`` decodes from a serialized-Example placeholder: the consumer
    feeds the decoded values instead). It loses work when the input is computed from
    a variable (a trained transformation the consumer skips) or from another input of
    the same signature (two inputs that must agree, and only one of them is used).
    The walk goes back over data edges and stops at placeholders: a
    ``PlaceholderWithDefault`` is an input by design, whatever its default reads.
    """
    own = {_canonical(t) for t in tensor_names(signature.inputs[key])}
    # Tensors, not nodes: ParseExampleV2 yields every parsed feature from one node.
    others: dict[str, str] = {}
    for other_key in sorted(signature.inputs):
        if other_key != key:
            for tensor in tensor_names(signature.inputs[other_key]):
                others.setdefault(_canonical(tensor), other_key)
    variables: set[str] = set()
    inputs: set[str] = set()
    expanded: set[str] = set()
    todo = list(own)
    while todo:
        tensor = todo.pop()
        if tensor in others and tensor not in own:
            inputs.add(others[tensor])
            continue
        name = node_name(tensor)
        if name in expanded:
            continue
        expanded.add(name)
        node = graph.node(name)
        if node is None or node.op in PLACEHOLDER_OPS:
            continue
        if node.op in VARIABLE_OPS:
            variables.add(name)
            continue
        todo.extend(_canonical(raw) for raw in node.input if raw[:1] != "^")
    if not variables and not inputs:
        return None
    return SkippedWork(tuple(sorted(variables)), tuple(sorted(inputs)))


def _canonical(tensor: str) -> str:
    """``a`` and ``a:0`` name the same tensor; ``f:output:0`` (inside functions) stays as it is."""
    return tensor if ":" in tensor else tensor + ":0"
