"""The TF2 reusable SavedModel interface, read from the object graph (``object_graph_def``)."""

from __future__ import annotations

from hublint.module.analysis.facts import ReusableApi

REQUIRED_ATTRIBUTES = ("variables", "trainable_variables", "regularization_losses", "__call__")


def reusable_api(meta_graph_def, has_training_trace: bool = False) -> ReusableApi | None:
    """What the root object offers a ``hub.load`` / ``hub.KerasLayer`` caller; ``None`` without an object graph.

    ``has_training_trace``: whether some concrete function was traced for training
    (see :mod:`hublint.module.analysis.traces`).
    """
    nodes = meta_graph_def.object_graph_def.nodes
    if not nodes:
        return None
    children = {child.local_name: child.node_id for child in nodes[0].children}
    arguments: tuple[str, ...] = ()
    call = children.get("__call__")
    if call is not None and 0 <= call < len(nodes):
        arguments = _call_arguments(nodes[call])
    endpoints = tuple(sorted(
        name for name, node_id in children.items()
        if name != "__call__" and not name.startswith("_") and 0 <= node_id < len(nodes)
        and nodes[node_id].WhichOneof("kind") in ("function", "bare_concrete_function")
    ))
    return ReusableApi(
        attributes=tuple(name for name in REQUIRED_ATTRIBUTES if name in children),
        call_arguments=arguments,
        endpoints=endpoints,
        signatures=tuple(sorted(name for name in meta_graph_def.signature_def if not name.startswith("__"))),
        has_training_trace=has_training_trace,
    )


def _call_arguments(node) -> tuple[str, ...]:
    kind = node.WhichOneof("kind")
    if kind == "function":
        spec = node.function.function_spec
    elif kind == "bare_concrete_function":
        spec = node.bare_concrete_function.function_spec
        keywords = tuple(node.bare_concrete_function.argument_keywords)
        return keywords + tuple(a for a in _fullargspec_names(spec) if a not in keywords)
    else:
        return ()
    return _fullargspec_names(spec)


def _fullargspec_names(spec) -> tuple[str, ...]:
    """``args`` and ``kwonlyargs`` of a FunctionSpec's ``fullargspec`` (a FullArgSpec named tuple)."""
    names: list[str] = []
    for pair in spec.fullargspec.named_tuple_value.values:
        if pair.key in ("args", "kwonlyargs"):
            names.extend(v.string_value for v in pair.value.list_value.values if v.string_value)
    return tuple(names)
