"""What the signature rules share: the tensors a signature names, and input shapes."""

from __future__ import annotations

from hublint.module import proto

#: Ops that are a fed input of a signature.
PLACEHOLDER_OPS = frozenset({"Placeholder", "PlaceholderV2", "PlaceholderWithDefault"})


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
