"""The module pass's graph semantics: what an exported meta graph really computes.

:func:`analyze` turns one meta graph into :class:`GraphFacts` (variables,
kernels, regularization coverage, dropout, batch norm, proximal optimizer ops)
once; the module rules are small predicates over those facts.  Patterns are
derived from what ops compute and consume, never from node names, because
names change across TensorFlow versions and layer APIs.

Kernels and regularization coverage are read from the top-level graph (TF1 Hub
format keeps the model there), and for TF2 SavedModels through the object
graph (:mod:`hublint.module.analysis.object_graph`): a kernel is a trainable
variable a saved function reads as weights, covered when a function of the
root's ``regularization_losses`` reads it; both are named by object path
(``dense_1/kernel``, ``encoder/w``).  Dropout, batch norm and optimizer ops are also
looked for in every function of the library, where TF2 SavedModels keep them;
a function used as an ``If`` / ``Case`` branch counts as conditional.  In a TF2
SavedModel each function also gets the mode of the traces reaching it
(:mod:`~hublint.module.analysis.traces`): dropout only in a ``training=True``
trace is not active at inference.
"""

from __future__ import annotations

from hublint.module.analysis.batchnorm import find_batch_norms, update_op_names
from hublint.module.analysis.dropout import find_dropouts
from hublint.module.analysis.facts import (
    BatchNorm,
    Dropout,
    GraphFacts,
    Kernel,
    MovingAverageUpdate,
    ProximalOp,
    RegularizationLoss,
    ReusableApi,
    Variable,
)
from hublint.module.analysis.optimizers import find_proximal_ops
from hublint.module.analysis.saved_object import reusable_api
from hublint.module.analysis.traces import Traces, find_traces
from hublint.module.analysis.weights import (
    function_kernels,
    kernels,
    object_kernels,
    object_regularization_losses,
    object_variables,
    regularization_losses,
    variables,
)
from hublint.module.graph import Graph

__all__ = [
    "BatchNorm", "Dropout", "GraphFacts", "Kernel", "MovingAverageUpdate", "ProximalOp",
    "RegularizationLoss", "ReusableApi", "Variable", "analyze",
]

_BRANCH_ATTRS = {"If": ("then_branch", "else_branch"), "StatelessIf": ("then_branch", "else_branch"),
                 "Case": ("branches",), "StatelessCase": ("branches",)}


def analyze(meta_graph) -> GraphFacts:
    """The facts of one meta graph.

    ``meta_graph`` is a :class:`hublint.module.model.MetaGraph` (its cached
    ``graph`` is used), a :class:`Graph`, or a bare ``MetaGraphDef``.
    """
    graph = getattr(meta_graph, "graph", meta_graph)
    if not isinstance(graph, Graph):
        graph = Graph(graph)

    objects = getattr(meta_graph, "object_graph", None)
    if objects is None and graph.proto.object_graph_def.nodes:
        from hublint.module.analysis.object_graph import ObjectGraph

        objects = ObjectGraph(graph)
    if objects:
        found_variables = object_variables(objects)
        found_kernels = object_kernels(objects)
        found_losses = object_regularization_losses(objects)
    else:
        found_variables = variables(graph)
        trainable = frozenset(v.name for v in found_variables if v.trainable)
        found_kernels = kernels(graph, trainable)
        found_losses = regularization_losses(graph)
    update_ops = update_op_names(graph)
    branches = _branch_functions(graph)
    traces = find_traces(graph)

    dropouts: list[Dropout] = []
    batch_norms: list[BatchNorm] = []
    updates: list[MovingAverageUpdate] = []
    proximal: list[ProximalOp] = []
    for scope in graph.scopes():
        function = getattr(scope, "name", "") if scope is not graph else ""
        in_branch = function in branches
        dropouts.extend(find_dropouts(scope, function, in_branch))
        norms, scope_updates = find_batch_norms(scope, update_ops if scope is graph else set(), function, in_branch)
        batch_norms.extend(norms)
        updates.extend(scope_updates)
        proximal.extend(find_proximal_ops(scope))

    return GraphFacts(
        variables=found_variables,
        kernels=found_kernels,
        regularization_losses=found_losses,
        dropouts=tuple(_in_trace(d, traces) for d in dropouts),
        batch_norms=tuple(_in_trace(b, traces)._replace(layer=traces.layers.get(b.function, "")) for b in batch_norms),
        moving_average_updates=tuple(updates),
        proximal_ops=tuple(proximal),
        function_kernels=function_kernels(graph),
        reusable=reusable_api(graph.proto, traces.has_training_trace),
    )


def _in_trace(found, traces: Traces):
    """``found`` (a Dropout or BatchNorm) with the mode of the traces reaching its function."""
    if not found.function or not traces.entries:
        return found
    return found._replace(mode=traces.mode(found.function), entry=traces.reached_from.get(found.function, ""))


def _branch_functions(graph: Graph) -> set[str]:
    """Names of library functions run as a branch of a conditional."""
    names: set[str] = set()
    for scope in graph.scopes():
        for node in scope.with_ops(_BRANCH_ATTRS):
            for key in _BRANCH_ATTRS[node.op]:
                value = scope.attr(node, key)
                if isinstance(value, str):
                    names.add(value)
                elif isinstance(value, list):
                    names.update(v for v in value if isinstance(v, str))
    return names
