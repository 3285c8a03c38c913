"""The TF2 object graph (``object_graph_def``): objects, their paths and the functions that read their variables.

A TF2 SavedModel keeps its model as a graph of saved objects
(``SavedObjectGraph.nodes``: Keras layers and ``tf.Module`` objects as
``user_object``, ``variable``, ``function``, ``bare_concrete_function``, ...)
linked by named child edges, and its computation in the function library.
The two meet in ``SavedObjectGraph.concrete_functions``: a concrete function
captures the variables whose node ids are its ``bound_inputs``, fed as the
*last* arguments of its FunctionDef, in order.  Library functions call each
other through ``StatefulPartitionedCall`` / ``PartitionedCall`` (input ``i``
of the call is argument ``i`` of the callee) and conditionals / loops.

:class:`ObjectGraph` answers, without TensorFlow:

- :meth:`ObjectGraph.path` - the first path of a node from the root in
  breadth-first order (what checkpoint keys use), as local names;
- :meth:`ObjectGraph.readable_path` - the name a user knows an object by:
  ``dense_1/kernel`` (a Keras layer's name instead of ``layer_with_weights-1``),
  ``encoder/w`` (attribute names of ``tf.Module`` objects); list attributes
  such as ``variables`` are avoided when another path exists;
- :attr:`ObjectGraph.variables` - every variable object (:class:`ObjectVariable`);
- :attr:`ObjectGraph.layers` - Keras layers and ``tf.Module`` objects (:class:`ObjectLayer`);
- :meth:`ObjectGraph.captured_variables` - argument name -> variable node id of a concrete function;
- :meth:`ObjectGraph.callees` - the library functions a function calls, with
  which of its tensors feeds which callee argument (the call graph);
- :meth:`ObjectGraph.attribute_functions` - the concrete functions of a root
  attribute (``__call__``, ``regularization_losses``, ``signatures``, ...);
- :meth:`ObjectGraph.function_owner` - the readable path of the object a
  concrete function is a method of (``dense`` for a Keras layer's call);
- :meth:`ObjectGraph.weight_arguments` / :meth:`ObjectGraph.output_arguments`
  - which arguments of a function (through its callees) are read as weights of
  a MatMul / convolution, and which its outputs are computed from.

Everything is read from protobuf fields; ``None`` / empty results stand for
what a damaged graph does not say.  Nothing here raises on bad input.
"""

from __future__ import annotations

import collections
import functools
import json
from typing import NamedTuple

from hublint.module.analysis.trace import variable_behind
from hublint.module.analysis.weights import KERNEL_INPUTS
from hublint.module.graph import node_name

# Child edges that list objects reachable by a more telling path too: a path through them is
# used only when no other path exists (``variables/0`` says less than ``dense/kernel``).
_LISTING_EDGES = frozenset({
    "variables", "trainable_variables", "non_trainable_variables", "weights", "trainable_weights",
    "non_trainable_weights", "keras_api", "regularization_losses", "layer_regularization_losses",
    "submodules", "_self_unconditional_dependency_names",
})
# Edges whose lists hold the regularization loss functions of an object (Keras 2 layers, hub's API).
_LOSS_EDGES = frozenset({"regularization_losses", "layer_regularization_losses"})

# Ops that call library functions, and the first input that is argument 0 of the callee.
_CALL_ATTRS = {
    "StatefulPartitionedCall": (("f",), 0),
    "PartitionedCall": (("f",), 0),
    "If": (("then_branch", "else_branch"), 1),
    "StatelessIf": (("then_branch", "else_branch"), 1),
    "Case": (("branches",), 1),
    "StatelessCase": (("branches",), 1),
    "While": (("cond", "body"), 0),
    "StatelessWhile": (("cond", "body"), 0),
}

_MAX_CALL_DEPTH = 32
_RESOURCE = 20  # DataType DT_RESOURCE

_CONTAINERS = frozenset({"trackable_list_wrapper", "trackable_dict_wrapper", "trackable_tuple_wrapper", "signature_map"})


class ObjectVariable(NamedTuple):
    """A variable of the object graph: where it sits and what it is."""

    node_id: int
    path: str  # readable path (``dense_1/kernel``, ``encoder/w``)
    name: str  # the variable's own name (``SavedVariable.name``), "" when unset
    checkpoint_key: str
    dtype: int
    shape: tuple[int, ...] | None
    trainable: bool


class ObjectLayer(NamedTuple):
    """A Keras layer / model or a ``tf.Module`` object with variables of its own."""

    node_id: int
    path: str  # readable path, "" for the root
    kind: str  # the SavedUserObject identifier (``_tf_keras_layer``, ``_generic_user_object``)
    class_name: str  # from Keras metadata when present, else ""
    variables: tuple[str, ...] = ()  # readable paths of the variables it holds directly


class Call(NamedTuple):
    """One call of a library function from another: ``inputs[i]`` feeds argument ``i`` of ``callee``."""

    node: str
    callee: str
    inputs: tuple[str, ...]


class ObjectGraph:
    """The object graph of one TF2 meta graph, joined with its function library (``graph``: :class:`Graph`)."""

    def __init__(self, graph):
        self.graph = graph
        #: The ``SavedObject`` messages, indexed by node id (node 0 is the root).
        self.nodes = graph.proto.object_graph_def.nodes
        #: Concrete function name -> ``SavedConcreteFunction`` (its ``bound_inputs``).
        self.functions = graph.proto.object_graph_def.concrete_functions

    def __bool__(self) -> bool:
        return len(self.nodes) > 0

    # -- objects and paths --------------------------------------------------------------------
    def kind(self, node_id: int) -> str:
        """``user_object``, ``variable``, ``function``, ... ("" for an id out of range)."""
        if not 0 <= node_id < len(self.nodes):
            return ""
        return self.nodes[node_id].WhichOneof("kind") or ""

    def children(self, node_id: int) -> list[tuple[str, int]]:
        """``(local name, node id)`` of the child edges of a node, ids out of range left out."""
        if not 0 <= node_id < len(self.nodes):
            return []
        return [(c.local_name, c.node_id) for c in self.nodes[node_id].children if 0 <= c.node_id < len(self.nodes)]

    @functools.cached_property
    def _steps(self) -> dict[int, tuple[tuple[str, int], ...]]:
        return _breadth_first(self, avoid=frozenset())

    @functools.cached_property
    def _paths(self) -> dict[int, tuple[str, ...]]:
        return {node_id: tuple(local for local, _ in steps) for node_id, steps in self._steps.items()}

    def path(self, node_id: int) -> tuple[str, ...] | None:
        """The first path from the root in breadth-first order (local names); ``None`` when unreachable."""
        return self._paths.get(node_id)

    def checkpoint_key(self, node_id: int) -> str:
        """The key a variable's value has in an object-based checkpoint."""
        path = self.path(node_id) or ()
        return "/".join(tuple(_escape(p) for p in path) + (".ATTRIBUTES", "VARIABLE_VALUE"))

    @functools.cached_property
    def _readable_steps(self) -> dict[int, tuple[tuple[str, int], ...]]:
        return _breadth_first(self, avoid=_LISTING_EDGES)

    @functools.cached_property
    def _readable_paths(self) -> dict[int, tuple[str, ...]]:
        return {node_id: tuple(local for local, _ in steps) for node_id, steps in self._readable_steps.items()}

    def readable_path(self, node_id: int) -> str:
        """The path a user knows an object by: Keras layer names, attribute names, lists avoided."""
        return self._readable.get(node_id, "")

    @functools.cached_property
    def _readable(self) -> dict[int, str]:
        names: dict[int, str] = {}
        layer_names = {node_id: self.layer_name(node_id) for node_id in self._readable_steps}
        for node_id, steps in self._readable_steps.items():
            names[node_id] = "/".join(layer_names[step] or local for local, step in steps)
        # Objects seen only through lists (``variables/0``): a variable's own name says more,
        # unless another object already goes by it.
        listed = [n for n in self._paths if n not in names]
        own = [self.nodes[n].variable.name if self.kind(n) == "variable" else "" for n in listed]
        counts = collections.Counter(own)
        taken = set(names.values())
        for node_id, name in zip(listed, own):
            usable = name and counts[name] == 1 and name not in taken
            names[node_id] = name if usable else "/".join(self._paths[node_id])
        return names

    def layer_name(self, node_id: int) -> str:
        """The name of a Keras layer object, "" for other objects.

        From the layer's Keras metadata when the export kept it in the object
        graph, else from the variables it owns: Keras names them
        ``<layer>/<weight>`` (``dense_1/kernel``).
        """
        if self.kind(node_id) != "user_object":
            return ""
        user_object = self.nodes[node_id].user_object
        if not user_object.identifier.startswith("_tf_keras_"):
            return ""
        name = _metadata(user_object.metadata).get("name")
        if isinstance(name, str) and name:
            return name
        for local, child in self.children(node_id):
            if self.kind(child) == "variable":
                parts = self.nodes[child].variable.name.split("/")
                if len(parts) >= 2 and parts[-1] == local:
                    return parts[-2]
        return self._call_scope(node_id)

    def _call_scope(self, node_id: int) -> str:
        """A layer without variables (Dropout, Flatten): the name scope its model calls it under.

        The layer's own call functions call the same library function its model
        calls under the layer's name scope (``dropout/StatefulPartitionedCall``).
        """
        own = {name for _, child in self.children(node_id) for name in self.concrete_functions_of(child)}
        for function in sorted(own):
            for call in self.callees(function):
                for caller, node in self._callers.get(call.callee, ()):
                    if caller not in own and "/" in node:
                        return node.rsplit("/", 1)[0].rsplit("/", 1)[-1]
        return ""

    @functools.cached_property
    def _callers(self) -> dict[str, list[tuple[str, str]]]:
        """Callee -> ``(calling function, call node)`` of every call in the library."""
        callers: dict[str, list[tuple[str, str]]] = {}
        for caller in sorted(self.graph.functions):
            for call in self.callees(caller):
                callers.setdefault(call.callee, []).append((caller, call.node))
        return callers

    @functools.cached_property
    def variables(self) -> tuple[ObjectVariable, ...]:
        """Every variable object reachable from the root, in node order."""
        found = []
        for node_id in sorted(self._paths):
            if self.kind(node_id) != "variable":
                continue
            saved = self.nodes[node_id].variable
            found.append(ObjectVariable(
                node_id=node_id,
                path=self.readable_path(node_id),
                name=saved.name,
                checkpoint_key=self.checkpoint_key(node_id),
                dtype=int(saved.dtype),
                shape=None if saved.shape.unknown_rank else tuple(int(d.size) for d in saved.shape.dim),
                trainable=bool(saved.trainable),
            ))
        return tuple(found)

    @functools.cached_property
    def layers(self) -> tuple[ObjectLayer, ...]:
        """Keras layers and models, and other user objects that own variables or functions, root first."""
        found = []
        for node_id in sorted(self._paths, key=lambda n: (len(self._paths[n]), n)):
            if self.kind(node_id) != "user_object":
                continue
            user_object = self.nodes[node_id].user_object
            keras = user_object.identifier.startswith("_tf_keras_")
            owns = any(self.kind(c) in ("variable", "function") for _, c in self.children(node_id))
            if not (keras or owns) or user_object.identifier in ("trackable_list_wrapper", "trackable_dict_wrapper"):
                continue
            if node_id not in self._readable_paths:
                continue  # an internal object seen only through a list (keras_api and the like)
            class_name = _metadata(user_object.metadata).get("class_name")
            found.append(ObjectLayer(
                node_id=node_id,
                path=self.readable_path(node_id),
                kind=user_object.identifier,
                class_name=class_name if isinstance(class_name, str) else "",
                variables=tuple(self.readable_path(c) for _, c in self.children(node_id) if self.kind(c) == "variable"),
            ))
        return tuple(found)

    # -- functions ------------------------------------------------------------------------
    def concrete_functions_of(self, node_id: int) -> tuple[str, ...]:
        """The concrete function names of a ``function`` or ``bare_concrete_function`` node."""
        kind = self.kind(node_id)
        if kind == "function":
            return tuple(self.nodes[node_id].function.concrete_functions)
        if kind == "bare_concrete_function":
            return (self.nodes[node_id].bare_concrete_function.concrete_function_name,)
        return ()

    def attribute_functions(self, attribute: str) -> tuple[str, ...]:
        """Concrete functions of the root attribute ``attribute`` and of the objects below it.

        ``__call__`` gives its traces; ``regularization_losses`` the functions of the
        list; ``signatures`` the signature functions.
        """
        found: dict[str, None] = {}
        start = [child for local, child in self.children(0) if local == attribute]
        seen = set(start)
        todo = list(start)
        while todo:
            node_id = todo.pop(0)
            found.update(dict.fromkeys(self.concrete_functions_of(node_id)))
            if self.kind(node_id) == "user_object":
                for _, child in self.children(node_id):
                    if child not in seen:
                        seen.add(child)
                        todo.append(child)
            elif self.kind(node_id) == "function":
                for _, child in self.children(node_id):  # its traces (bare concrete functions)
                    if child not in seen:
                        seen.add(child)
                        todo.append(child)
        return tuple(found)

    def regularization_loss_functions(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """``(readable path, concrete functions)`` of each element of the root's ``regularization_losses``.

        ``()`` when the attribute is missing or the list is empty.
        """
        found = []
        for local, child in self.children(0):
            if local != "regularization_losses":
                continue
            elements = self.children(child) if self.kind(child) == "user_object" else [("", child)]
            for _, element in elements:
                found.append((self.readable_path(element), self.concrete_functions_of(element)))
        return tuple(found)

    @functools.cached_property
    def loss_functions(self) -> frozenset[str]:
        """Concrete functions held in any ``regularization_losses`` list (the root's or a layer's)."""
        found: set[str] = set()
        for node_id in self._paths:
            for local, child in self.children(node_id):
                if local not in _LOSS_EDGES:
                    continue
                elements = self.children(child) if self.kind(child) == "user_object" else [("", child)]
                for _, element in elements:
                    found.update(self.concrete_functions_of(element))
        return frozenset(found)

    @functools.cached_property
    def _owners(self) -> dict[str, int]:
        owners: dict[str, int] = {}
        for walk in (self._readable_steps, self._steps):  # telling paths first
            for node_id, steps in sorted(walk.items(), key=lambda item: (len(item[1]), item[0])):
                for name in self.concrete_functions_of(node_id):
                    if name not in owners:
                        owners[name] = self._holder([0] + [step for _, step in steps[:-1]])
        return owners

    def _holder(self, nodes: list[int]) -> int:
        """The last real object among ``nodes`` (lists, dicts and signature maps only hold things)."""
        for node_id in reversed(nodes):
            if self.kind(node_id) != "user_object":
                continue
            if self.nodes[node_id].user_object.identifier not in _CONTAINERS:
                return node_id
        return 0

    def function_owner(self, function: str) -> str | None:
        """The readable path of the object ``function`` is a method of ("" for the root).

        A library function no object holds (a callee of a layer's call) is owned
        by the object of the first function seen calling it, under the call's
        name scope (Keras calls a layer under its name:
        ``dense_1/StatefulPartitionedCall``); ``None`` when unknown.
        """
        return self._all_owners.get(function)

    @functools.cached_property
    def _all_owners(self) -> dict[str, str]:
        owners = {name: (self.readable_path(node_id) if node_id else "") for name, node_id in self._owners.items()}
        todo = list(owners)
        for caller in todo:  # grows while walked: breadth-first over the call graph
            for call in self.callees(caller):
                if call.callee not in owners:
                    scope = call.node.rsplit("/", 1)[0] if "/" in call.node else ""
                    owners[call.callee] = "/".join(p for p in (owners[caller], scope) if p)
                    todo.append(call.callee)
        return owners

    def captured_variables(self, function: str) -> dict[str, int]:
        """Argument name -> object node id of what a concrete function captures (its ``bound_inputs``)."""
        body = self.graph.functions.get(function)
        if body is None or function not in self.functions:
            return {}
        bound = list(self.functions[function].bound_inputs)
        arguments = body.proto.signature.input_arg
        if len(bound) > len(arguments) or not all(0 <= node_id < len(self.nodes) for node_id in bound):
            return {}  # captures that do not line up with the arguments: claim nothing
        tail = arguments[len(arguments) - len(bound):]
        if any(self.kind(node_id) == "variable" and arg.type != _RESOURCE for arg, node_id in zip(tail, bound)):
            return {}  # a variable is captured as its resource handle; anything else is misaligned
        return {arg.name: node_id for arg, node_id in zip(tail, bound)}

    def callees(self, function: str) -> tuple[Call, ...]:
        """The calls a library function makes to other library functions."""
        return self._calls.get(function, ())

    @functools.cached_property
    def _calls(self) -> dict[str, tuple[Call, ...]]:
        library = self.graph.functions
        table: dict[str, tuple[Call, ...]] = {}
        for name, body in library.items():
            calls = []
            for node in body:
                inputs = body.data_inputs(node)
                if node.op in library:  # a function called directly by its name
                    calls.append(Call(node.name, node.op, tuple(inputs)))
                    continue
                spec = _CALL_ATTRS.get(node.op)
                if spec is None:
                    continue
                keys, offset = spec
                for key in keys:
                    value = body.attr(node, key)
                    callees = value if isinstance(value, list) else [value]
                    for callee in callees:
                        if isinstance(callee, str) and callee in library:
                            calls.append(Call(node.name, callee, tuple(inputs[offset:])))
            table[name] = tuple(calls)
        return table

    # -- what a function does with its arguments ---------------------------------------------
    def weight_arguments(self, function: str) -> dict[int, tuple[str, ...]]:
        """Argument index -> op types that read it as weights, in ``function`` or the functions it calls."""
        return self._weight_arguments(function, 0)

    def _weight_arguments(self, function: str, depth: int) -> dict[int, tuple[str, ...]]:
        if function in self._weights_memo:
            return self._weights_memo[function]
        body = self.graph.functions.get(function)
        if body is None or depth > _MAX_CALL_DEPTH:
            return {}
        self._weights_memo[function] = {}  # a recursive call sees nothing yet rather than looping
        index = {name: i for i, name in enumerate(body.arguments)}
        found: dict[int, set[str]] = {}
        for node in body.with_ops(KERNEL_INPUTS):
            inputs = body.data_inputs(node)
            for position in KERNEL_INPUTS[node.op]:
                if position < len(inputs):
                    argument = variable_behind(body, inputs[position])
                    if argument in index:
                        found.setdefault(index[argument], set()).add(node.op)
        for call in self.callees(function):
            for position, ops in self._weight_arguments(call.callee, depth + 1).items():
                if position < len(call.inputs):
                    argument = variable_behind(body, call.inputs[position])
                    if argument in index:
                        found.setdefault(index[argument], set()).update(ops)
        result = {i: tuple(sorted(ops)) for i, ops in sorted(found.items())}
        self._weights_memo[function] = result
        return result

    @functools.cached_property
    def _weights_memo(self) -> dict[str, dict[int, tuple[str, ...]]]:
        return {}

    @functools.cached_property
    def _outputs_memo(self) -> dict[str, frozenset[int]]:
        return {}

    def output_arguments(self, function: str) -> frozenset[int]:
        """Indices of the arguments ``function``'s outputs are computed from.

        The walk back stops at weight ops (an activity regularizer reads a
        layer's output, which depends on every earlier kernel without
        regularizing any) and goes into called functions.
        """
        return self._output_arguments(function, 0)

    def _output_arguments(self, function: str, depth: int) -> frozenset[int]:
        if function in self._outputs_memo:
            return self._outputs_memo[function]
        body = self.graph.functions.get(function)
        if body is None or depth > _MAX_CALL_DEPTH:
            return frozenset()
        self._outputs_memo[function] = frozenset()  # a recursive call sees nothing yet rather than looping
        index = {name: i for i, name in enumerate(body.arguments)}
        calls = {call.node: call for call in self.callees(function)}
        todo = [node_name(tensor) for tensor in body.proto.ret.values()]
        seen: set[str] = set()
        reached: set[int] = set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in index:
                reached.add(index[name])
                continue
            node = body.node(name)
            if node is None or node.op in KERNEL_INPUTS:
                continue
            call = calls.get(name)
            if call is not None:
                used = self._output_arguments(call.callee, depth + 1)
                todo.extend(call.inputs[i] for i in used if i < len(call.inputs))
                continue
            todo.extend(body.data_inputs(node))
        result = frozenset(reached)
        self._outputs_memo[function] = result
        return result

    def kernel_variables(self, function: str) -> dict[int, tuple[str, ...]]:
        """Variable node id -> op types, for the captured variables a concrete function reads as weights."""
        body = self.graph.functions.get(function)
        captured = self.captured_variables(function)
        if body is None or not captured:
            return {}
        found: dict[int, tuple[str, ...]] = {}
        for position, ops in self.weight_arguments(function).items():
            node_id = captured.get(body.arguments[position]) if position < len(body.arguments) else None
            if node_id is not None and self.kind(node_id) == "variable":
                found[node_id] = tuple(sorted(set(found.get(node_id, ())) | set(ops)))
        return found

    def variables_read(self, function: str) -> frozenset[int]:
        """Variable node ids a concrete function's outputs are computed from (through its captures)."""
        body = self.graph.functions.get(function)
        captured = self.captured_variables(function)
        if body is None:
            return frozenset()
        found = set()
        for position in self.output_arguments(function):
            node_id = captured.get(body.arguments[position]) if position < len(body.arguments) else None
            if node_id is not None and self.kind(node_id) == "variable":
                found.add(node_id)
        return frozenset(found)


def _breadth_first(graph: ObjectGraph, avoid: frozenset[str]) -> dict[int, tuple[tuple[str, int], ...]]:
    """Node id -> its first path from the root in breadth-first order, as ``(local name, node id)``
    steps, not passing edges named in ``avoid``."""
    if not graph.nodes:
        return {}
    steps: dict[int, tuple[tuple[str, int], ...]] = {0: ()}
    queue = [0]
    for node_id in queue:  # the queue grows while it is walked
        for local, child in graph.children(node_id):
            if child not in steps and local not in avoid:
                steps[child] = steps[node_id] + ((local, child),)
                queue.append(child)
    return steps


def _escape(name: str) -> str:
    # TF's trackable naming: "." and "/" inside a local name must not read as separators.
    return name.replace(".", "..").replace("/", ".S")


def _metadata(raw: str) -> dict:
    """Keras metadata of a user object (JSON); ``{}`` when absent or unreadable."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}
