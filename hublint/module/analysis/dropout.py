"""Dropout, found from what consumes a uniform random tensor, and its rate.

``tf.nn.dropout``, ``tf.layers.dropout`` and Keras ``Dropout`` all build a
uniform random tensor and keep the units where it is ``>= rate`` (TF >= 1.13),
or floor ``keep_prob + uniform`` (TF <= 1.12).  Variable initializers draw
uniform random numbers too, but scale them and assign them to a variable: no
comparison, no Floor, so they are never taken for dropout.
"""

from __future__ import annotations

from hublint.module.analysis.facts import Dropout
from hublint.module.analysis.trace import one_minus, under_cond

RANDOM_UNIFORM_OPS = frozenset({"RandomUniform", "StatelessRandomUniform", "StatelessRandomUniformV2"})
# What may sit between the random op and the comparison (scaling to [min, max), casts).
_SCALING_OPS = frozenset({"Mul", "Add", "AddV2", "Sub", "Identity", "Cast", "Snapshot"})
_MAX_STEPS = 5
_COMPARISON_OPS = frozenset({"GreaterEqual", "Greater", "Less", "LessEqual"})
# Every op the walk from the random op can judge or pass through; other consumers are neither.
_MASK_PATH_OPS = _SCALING_OPS | _COMPARISON_OPS | {"Floor"}


def find_dropouts(scope, function: str = "", in_branch: bool = False) -> list[Dropout]:
    """The dropout masks of one scope (the graph or a function body)."""
    found = []
    for node in scope.with_ops(RANDOM_UNIFORM_OPS):
        dropout = _dropout_from(scope, node, function, in_branch)
        if dropout is not None:
            found.append(dropout)
    return found


def _dropout_from(scope, random, function: str, in_branch: bool) -> Dropout | None:
    frontier = [random]
    on_path = {random.name}
    for _ in range(_MAX_STEPS):
        following = []
        for current in frontier:
            for consumer in scope.consumers(current.name, _MASK_PATH_OPS):
                if consumer.name in on_path:
                    continue
                result = _judge(scope, consumer, current, on_path)
                if result is not None:
                    rate, form = result
                    conditional = in_branch or under_cond(scope, random) or under_cond(scope, consumer)
                    return Dropout(node=random.name, rate=rate, form=form, conditional=conditional,
                                   function=function)
                if consumer.op in _SCALING_OPS:
                    on_path.add(consumer.name)
                    following.append(consumer)
        frontier = following
    return None


def _judge(scope, consumer, source, on_path) -> tuple[float | None, str] | None:
    """``(rate, form)`` when ``consumer`` turns the random tensor ``source`` into a keep mask."""
    inputs = scope.data_inputs(consumer)
    if len(inputs) == 2 and consumer.op in _COMPARISON_OPS:
        random_first = inputs[0] == source.name
        threshold = scope.scalar(inputs[1] if random_first else inputs[0])
        keeps_above = (consumer.op in ("GreaterEqual", "Greater")) == random_first
        if keeps_above:  # keep where uniform >= rate
            return threshold, "rate"
        return one_minus(threshold), "keep_prob"  # keep where uniform < keep_prob
    if consumer.op == "Floor" and source.op in ("Add", "AddV2"):
        # floor(keep_prob + uniform): the addend not coming from the random op is keep_prob.
        addends = [name for name in scope.data_inputs(source) if name not in on_path]
        keep_prob = scope.scalar(addends[0]) if len(addends) == 1 else None
        return one_minus(keep_prob), "keep_prob"
    return None
