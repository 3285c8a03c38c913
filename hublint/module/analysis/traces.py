"""Which TF2 trace runs each library function: the training one, the inference one, or both.

A TF2 SavedModel keeps one concrete function per trace of a ``tf.function``;
Keras 2 traces the model's and every layer's call for ``training=True`` and
``training=False``.  The object graph records the arguments of each concrete
function (``canonicalized_input_signature``): a python bool ``training`` makes
a trace of that mode, a tensor ``training`` chooses at run time (both modes),
and a function without a ``training`` argument serves inference, as do the
serving signatures and the top-level graph.  Every library function a trace
calls (the ``f`` of ``StatefulPartitionedCall`` / ``PartitionedCall``, ``If``
branches, ``While`` bodies, recursively) gets the modes of the traces reaching it.

A function no entry reaches never runs for a consumer: it belongs to no mode.
"""

from __future__ import annotations

from typing import NamedTuple

TRAINING = "training"
INFERENCE = "inference"
#: Modes of a function reached from both kinds of entry (a shared layer function, a tensor ``training``).
BOTH = "training and inference"
#: A library function of an object-graph SavedModel that no entry calls.
UNREACHED = "unreached"

_TOP_LEVEL = "the top-level graph"


class Entry(NamedTuple):
    """A way in: a concrete function of the object graph, a signature, or the top-level graph."""

    function: str  # the concrete function ("" for the top-level graph)
    caller: str  # how a consumer calls it: "`__call__(training=False)`", "signature `serving_default`"
    modes: frozenset[str]
    training_argument: bool  # traced with a ``training`` argument (a bool or a tensor)


class Traces(NamedTuple):
    """The entries of an object-graph SavedModel and the modes reaching each library function."""

    entries: tuple[Entry, ...]
    #: library function -> the modes of the entries that reach it
    modes: dict[str, frozenset[str]]
    #: library function -> the caller of the first entry reaching it (inference entries first)
    reached_from: dict[str, str]
    #: library function -> the variable scope of the concrete functions holding or calling it (``batch_normalization``)
    layers: dict[str, str]

    def mode(self, function: str) -> str:
        """``training``, ``inference``, ``training and inference``, ``unreached``; ``""`` without an object graph."""
        if not self.entries or not function:
            return ""
        modes = self.modes.get(function, frozenset())
        if modes == {TRAINING}:
            return TRAINING
        if modes == {INFERENCE}:
            return INFERENCE
        return BOTH if modes else UNREACHED

    @property
    def has_training_trace(self) -> bool:
        """Some concrete function was traced for training (``training=True`` or a tensor)."""
        return any(TRAINING in entry.modes for entry in self.entries)


def find_traces(graph) -> Traces:
    """The traces of ``graph`` (a :class:`hublint.module.graph.Graph`); empty without an object graph."""
    object_graph = graph.proto.object_graph_def
    if not object_graph.nodes:
        return Traces((), {}, {}, {})
    from hublint.module.analysis.object_graph import ObjectGraph

    objects = ObjectGraph(graph)
    readable_names = {
        node_id: objects.readable_path(node_id)
        for node_id in range(1, len(object_graph.nodes))
        if objects.kind(node_id) == "user_object"
    }
    entries = _entries(object_graph, readable_names)
    calls = {name: _callees(body) for name, body in graph.functions.items()}
    entries.append(Entry("", _TOP_LEVEL, frozenset({INFERENCE}), False))
    calls[""] = _callees(graph)

    modes: dict[str, set[str]] = {}
    reached_from: dict[str, str] = {}
    # Inference entries first, so a function that both reach is said to be reached from inference;
    # then the root object's functions before its layers' (``__call__`` before ``layer-1.__call__``).
    for entry in sorted(entries, key=lambda e: (INFERENCE not in e.modes, e.caller.count("."), e.caller)):
        todo = [entry.function] if entry.function else list(calls[""])
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen or name not in calls:
                continue
            seen.add(name)
            modes.setdefault(name, set()).update(entry.modes)
            reached_from.setdefault(name, entry.caller)
            todo.extend(calls[name])
    return Traces(
        entries=tuple(entries),
        modes={name: frozenset(found) for name, found in modes.items()},
        reached_from=reached_from,
        layers=_layers(object_graph, calls),
    )


def _callees(scope) -> set[str]:
    """The library functions the nodes of ``scope`` call (any ``func`` attribute)."""
    names: set[str] = set()
    for node in scope:
        for value in node.attr.values():
            kind = value.WhichOneof("value")
            if kind == "func" and value.func.name:
                names.add(value.func.name)
            elif kind == "list":
                names.update(f.name for f in value.list.func if f.name)
    return names


# -- entries ----------------------------------------------------------------------------

def _entries(object_graph, readable_names: dict[int, str]) -> list[Entry]:
    """One entry per concrete function of the object graph, described by the path a consumer calls."""
    paths = _object_paths(object_graph, readable_names)
    argument_names: dict[str, tuple[str, ...]] = {}
    callers: dict[str, str] = {}
    signatures: dict[str, str] = {}
    for node_id, node in enumerate(object_graph.nodes):
        kind = node.WhichOneof("kind")
        path = paths.get(node_id)
        if kind == "function":
            names = _argument_names(node.function.function_spec)
            for function in node.function.concrete_functions:
                argument_names.setdefault(function, names)
                if path is not None:
                    callers.setdefault(function, path)
        elif kind == "bare_concrete_function":
            bare = node.bare_concrete_function
            function = bare.concrete_function_name
            names = _argument_names(bare.function_spec)
            if not names:
                names = tuple(bare.argument_keywords)
            argument_names.setdefault(function, names)
            if path is not None and path.startswith("signatures."):
                signatures.setdefault(function, path.split(".", 1)[1])
            elif path is not None:
                callers.setdefault(function, path)

    entries = []
    for function in sorted(object_graph.concrete_functions):
        concrete = object_graph.concrete_functions[function]
        training = _training_value(concrete.canonicalized_input_signature, argument_names.get(function, ()))
        if function in signatures:
            caller = f"signature `{signatures[function]}`"
        else:
            caller = _trace_name(_short_path(callers.get(function, function)), training)
        if training is None:
            modes, has_argument = frozenset({INFERENCE}), False
        elif training == "tensor":
            modes, has_argument = frozenset({TRAINING, INFERENCE}), True
        else:
            modes, has_argument = frozenset({TRAINING if training else INFERENCE}), True
        entries.append(Entry(function, caller, modes, has_argument))
    return entries


def _short_path(path: str) -> str:
    """``trace_0`` children name a trace, not an attribute: ``__call__.trace_0`` is ``__call__``."""
    parts = [part for part in path.split(".") if not part.startswith("trace_")]
    return ".".join(parts) or path


def _trace_name(path: str, training) -> str:
    if training is None:
        return f"`{path}`"
    value = "<tensor>" if training == "tensor" else str(bool(training))
    return f"`{path}(training={value})`"


def _object_paths(object_graph, readable_names: dict[int, str]) -> dict[int, str]:
    """Node id -> the shortest attribute path from the root (``dense_1.__call__``), breadth first.

    An object with a readable path (:meth:`ObjectGraph.readable_path`: a Keras layer's name,
    ``dense_1``) is named by it, not by the tracking edge that leads to it (``layer_with_weights-1``).
    """
    paths = {0: ""}
    frontier = [0]
    while frontier:
        following = []
        for node_id in frontier:
            prefix = paths[node_id]
            for child in object_graph.nodes[node_id].children:
                if child.node_id in paths or not 0 <= child.node_id < len(object_graph.nodes):
                    continue
                readable = readable_names.get(child.node_id, "")
                if readable:  # an object by the name its publisher knows it by
                    paths[child.node_id] = readable.replace("/", ".")
                else:
                    paths[child.node_id] = f"{prefix}.{child.local_name}" if prefix else child.local_name
                following.append(child.node_id)
        frontier = following
    return paths


def _argument_names(spec) -> tuple[str, ...]:
    """The positional argument names of a FunctionSpec (without ``self`` of a method)."""
    names: list[str] = []
    for pair in spec.fullargspec.named_tuple_value.values:
        if pair.key == "args":
            names.extend(v.string_value for v in pair.value.list_value.values)
    if getattr(spec, "is_method", False) and names and names[0] == "self":
        names = names[1:]
    return tuple(names)


def _training_value(signature, names: tuple[str, ...]):
    """``True`` / ``False`` for a python bool ``training``, ``"tensor"`` for a tensor, ``None`` without one.

    ``canonicalized_input_signature`` is ``(args, kwargs)``: positional values in
    the order of the argument names, then keywords by name.
    """
    if signature.WhichOneof("kind") != "tuple_value" or len(signature.tuple_value.values) != 2:
        return None
    args, kwargs = signature.tuple_value.values
    value = None
    if "training" in names:
        position = names.index("training")
        if position < len(args.tuple_value.values):
            value = args.tuple_value.values[position]
    if value is None:
        for pair in kwargs.dict_value.fields.items():
            if pair[0] == "training":
                value = pair[1]
    if value is None:
        return None
    kind = value.WhichOneof("kind")
    if kind == "bool_value":
        return value.bool_value
    if kind == "int64_value":
        return bool(value.int64_value)
    if kind in ("tensor_spec_value", "bounded_tensor_spec_value", "type_spec_value"):
        return "tensor"
    return None  # None: Keras resolves it to the inference default


# -- layers -----------------------------------------------------------------------------

def _layers(object_graph, calls: dict[str, set[str]]) -> dict[str, str]:
    """Library function -> the variable scope (``batch_normalization``) of the narrowest concrete
    function that is it or calls it directly: a layer's own trace captures only that layer's variables."""
    variable_names = {
        node_id: node.variable.name
        for node_id, node in enumerate(object_graph.nodes)
        if node.WhichOneof("kind") == "variable"
    }
    scopes: dict[str, tuple[int, str]] = {}  # function -> (number of variables, scope)
    for function, concrete in object_graph.concrete_functions.items():
        names = [variable_names[i] for i in concrete.bound_inputs if i in variable_names]
        scope = _common_scope(names)
        if not scope:
            continue
        for target in {function} | calls.get(function, set()):
            known = scopes.get(target)
            if known is None or len(names) < known[0]:
                scopes[target] = (len(names), scope)
    return {function: scope for function, (_, scope) in scopes.items()}


def _common_scope(names: list[str]) -> str:
    """``batch_normalization`` for ``batch_normalization/gamma`` and ``batch_normalization/beta``."""
    if not names:
        return ""
    split = [name.split("/")[:-1] for name in names]
    common: list[str] = []
    for parts in zip(*split):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return "/".join(common)
