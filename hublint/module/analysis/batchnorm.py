"""Batch normalization: its mode, its moving-average updates and the momentum they use.

The momentum is read from the update arithmetic, whatever the layer's API named
it: ``AssignSub(var, (var - statistic) * factor)`` with ``factor`` either a
constant ``1 - momentum`` or ``Sub(1, momentum)``.  The statistic is what makes
it batch norm rather than some other moving average: an output of a fused
batch-norm op, or a batch ``Mean`` (the unfused ``moments``).
"""

from __future__ import annotations

from hublint.module.analysis.facts import BatchNorm, MovingAverageUpdate
from hublint.module.analysis.trace import find_back, fold, one_minus, under_cond, variable_behind
from hublint.module.graph import node_name

FUSED_BATCH_NORM_OPS = frozenset({"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"})
_NORMALIZING_OPS = FUSED_BATCH_NORM_OPS | {"Rsqrt"}
_ASSIGN_SUB_OPS = frozenset({"AssignSub", "AssignSubVariableOp"})
_STATISTIC_PATH = frozenset({"Squeeze", "Identity", "Snapshot", "Cast", "Reshape", "Switch", "Merge", "StopGradient"})


def find_batch_norms(scope, update_ops: set[str], function: str = "", in_branch: bool = False):
    """``(batch_norms, moving_average_updates)`` of one scope."""
    assign_subs = scope.with_ops(_ASSIGN_SUB_OPS)
    updates = [u for u in (_update_from(scope, n, update_ops, function) for n in assign_subs) if u]
    by_statistic: dict[str, list[MovingAverageUpdate]] = {}
    for update, statistic in updates:
        by_statistic.setdefault(statistic, []).append(update)

    norms: list[BatchNorm] = []
    for node in scope.with_ops(_NORMALIZING_OPS):
        if node.op in FUSED_BATCH_NORM_OPS:
            training = bool(scope.attr(node, "is_training", True))
            own = by_statistic.get(node.name, [])
            momentum = _momentum(own)
            factor = scope.attr(node, "exponential_avg_factor", 1.0)
            if momentum is None and training and factor is not None and factor != 1.0:
                momentum = one_minus(factor)  # TF2 Keras: the fused op averages by itself
            norms.append(_batch_norm(node, True, training, momentum, own, scope, in_branch, function))
        elif node.op == "Rsqrt":
            unfused = _unfused(scope, node, by_statistic)
            if unfused is not None:
                training, own = unfused
                norms.append(_batch_norm(node, False, training, _momentum(own), own, scope, in_branch, function))

    owner = {u: b.node for b in norms for u in b.updates}
    final_updates = [u._replace(batch_norm=owner.get(u.node, "")) for u, _ in updates]
    return norms, final_updates


def _batch_norm(node, fused, training, momentum, own, scope, in_branch, function) -> BatchNorm:
    return BatchNorm(
        node=node.name,
        fused=fused,
        training=training,
        conditional=in_branch or under_cond(scope, node),
        momentum=momentum,
        updates=tuple(u.node for u in own),
        updates_in_collection=all(u.in_update_ops for u in own),
        function=function,
    )


def _momentum(updates: list[MovingAverageUpdate]) -> float | None:
    values = [u.momentum for u in updates if u.momentum is not None]
    return max(values) if values else None


def _update_from(scope, node, update_ops: set[str], function: str):
    """``(update, statistic node name)`` when ``node`` is a batch-norm moving-average update."""
    inputs = scope.data_inputs(node)
    if len(inputs) != 2:
        return None
    variable = variable_behind(scope, inputs[0])
    delta = scope.node(inputs[1])
    if variable is None or delta is None or delta.op != "Mul":
        return None
    factors = scope.data_inputs(delta)
    if len(factors) != 2:
        return None
    for difference_name, factor_name in ((factors[0], factors[1]), (factors[1], factors[0])):
        difference = scope.node(difference_name)
        if difference is None or difference.op != "Sub":
            continue
        current, statistic = (scope.data_inputs(difference) + ["", ""])[:2]
        if variable_behind(scope, current) != variable:
            continue
        source = _statistic_source(scope, statistic)
        if source is None:
            continue
        update = MovingAverageUpdate(
            node=node.name,
            variable=variable,
            momentum=_momentum_from_factor(scope, factor_name),
            batch_norm="",
            in_update_ops=node.name in update_ops or _runs_in_place(scope, node, variable),
            function=function,
        )
        return update, source
    return None


def _runs_in_place(scope, update, variable: str) -> bool:
    """Whether the layer's output waits for ``update`` (tf-slim's ``updates_collections=None``).

    Resource ``assign_sub`` always re-reads the variable after the update; that
    read is not the layer's output, so it does not count.
    """
    return any(
        not (reader.op in ("ReadVariableOp", "Identity") and variable_behind(scope, reader.name) == variable)
        for reader in scope.control_consumers(update.name)
    )


def _statistic_source(scope, name: str) -> str | None:
    """The fused batch-norm op or the ``Mean`` whose output ``name`` is (a batch statistic)."""
    found = find_back(
        scope, name,
        wanted=lambda n: n.op in FUSED_BATCH_NORM_OPS or n.op == "Mean",
        depth=4,
        through=lambda n: n.op in _STATISTIC_PATH,
    )
    return found.name if found is not None else None


def _momentum_from_factor(scope, name: str) -> float | None:
    node = scope.node(name)
    while node is not None and node.op in ("Identity", "Cast", "Snapshot") and node.input:
        node = scope.node(scope.data_inputs(node)[0])
    if node is None:
        return None
    if node.op == "Sub":
        one, momentum = (scope.data_inputs(node) + ["", ""])[:2]
        if fold(scope, one) == 1.0:
            value = fold(scope, momentum)
            if value is not None:
                return value
    return one_minus(fold(scope, node.name))


def _unfused(scope, rsqrt, by_statistic):
    """``(training, updates)`` when ``rsqrt`` is the ``rsqrt(variance + epsilon)`` of a batch norm.

    Inference mode reads the moving variance variable; training mode uses the
    batch ``moments`` and is batch norm (not layer norm) only when a moving-average
    update averages those same moments.
    """
    inputs = scope.data_inputs(rsqrt)
    add = scope.node(inputs[0]) if inputs else None
    if add is None or add.op not in ("Add", "AddV2"):
        return None
    for variance in scope.data_inputs(add):
        if variable_behind(scope, variance) is not None:
            return False, []
        source = _statistic_source(scope, variance)
        if source is None:
            continue
        statistics = {source}
        mean = find_back(scope, source, wanted=lambda n: n.op == "Mean" and n.name != source, depth=4)
        if mean is not None:
            statistics.add(mean.name)
        own = sorted((u for s in statistics for u in by_statistic.get(s, [])), key=lambda u: u.node)
        if own:
            return True, own
    return None


def update_op_names(graph) -> set[str]:
    """Nodes the ``update_ops`` collection runs: listed nodes and what they depend on within 3 steps."""
    names: set[str] = set()
    frontier = [node_name(t.decode() if isinstance(t, bytes) else t) for t in graph.collection("update_ops")]
    for _ in range(4):
        following = []
        for name in frontier:
            if name in names:
                continue
            names.add(name)
            node = graph.node(name)
            if node is not None:
                following.extend(node_name(i) for i in node.input)
        frontier = following
    return names
