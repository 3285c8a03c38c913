"""Small, bounded walks over a graph scope shared by the analyses.

Every walk here is bounded by a depth, so analysing a graph stays linear in
its size however many layers it has.
"""

from __future__ import annotations

from hublint.module.graph import float32, node_name

VARIABLE_OPS = frozenset({"VarHandleOp", "VariableV2", "Variable", "AutoReloadVariable"})

# Ops a variable's value flows through unchanged on its way to the op using it:
# reads, the `/read` Identity, casts (mixed precision), conv1d's ExpandDims, and
# the Enter / Switch that bring it into a while loop or cond branch.
_VALUE_OF_VARIABLE_OPS = frozenset({
    "ReadVariableOp", "Identity", "Snapshot", "StopGradient", "Cast", "ExpandDims", "Enter", "Switch",
})

_SWITCH_OPS = frozenset({"Switch", "RefSwitch"})

_ARITHMETIC = {
    "Sub": lambda a, b: a - b,
    "Mul": lambda a, b: a * b,
    "Add": lambda a, b: a + b,
    "AddV2": lambda a, b: a + b,
    "RealDiv": lambda a, b: a / b if b else None,
    "Maximum": max,
    "Minimum": min,
}


def variable_behind(scope, name: str, depth: int = 8) -> str | None:
    """The variable whose value tensor ``name`` is, following reads, Identity and casts.

    In a function body a resource argument stands for the variable: its name is returned.
    """
    for _ in range(depth):
        node = scope.node(name)
        if node is None:
            bare = node_name(name)
            return bare if bare in getattr(scope, "arguments", ()) else None
        if node.op in VARIABLE_OPS:
            return node.name
        if node.op not in _VALUE_OF_VARIABLE_OPS:
            return None
        inputs = scope.data_inputs(node)
        if not inputs:
            return None
        name = inputs[0]
    return None


def fold(scope, name: str, depth: int = 6) -> float | None:
    """The number a small scalar computation of constants gives (``1 - 0.999``), else ``None``."""
    value = scope.scalar(name)
    if value is not None or depth == 0:
        return value
    node = scope.node(name)
    if node is None:
        return None
    if node.op in ("Identity", "Cast", "Snapshot") and node.input:
        return fold(scope, scope.data_inputs(node)[0], depth - 1)
    operation = _ARITHMETIC.get(node.op)
    inputs = scope.data_inputs(node)
    if operation is None or len(inputs) != 2:
        return None
    left = fold(scope, inputs[0], depth - 1)
    right = fold(scope, inputs[1], depth - 1) if left is not None else None
    if left is None or right is None:
        return None
    return operation(left, right)


def one_minus(value: float | None) -> float | None:
    """``1 - value`` as the user would have written it (``0.9997``, not ``0.99969999``)."""
    return None if value is None else float32(1.0 - value)


def under_cond(scope, node, depth: int = 3) -> bool:
    """Whether ``node`` sits in a TF1 cond branch: a Switch feeds it within ``depth`` steps.

    Control inputs count: constants in a branch hang off the branch's pivot.
    """
    if not scope.with_ops(_SWITCH_OPS):  # no cond in this scope at all (most exported graphs)
        return False
    frontier = [node]
    seen = {node.name}
    for _ in range(depth):
        following = []
        for current in frontier:
            for raw in current.input:
                name = node_name(raw)
                if name in seen:
                    continue
                seen.add(name)
                source = scope.node(name)
                if source is None:
                    continue
                if source.op in _SWITCH_OPS:
                    return True
                following.append(source)
        frontier = following
    return False


def find_back(scope, name: str, wanted, depth: int = 6, through=None):
    """The first node within ``depth`` data steps back from ``name`` for which ``wanted(node)`` holds.

    ``through(node)`` limits which nodes the walk passes (default: all).
    """
    frontier = [node_name(name)]
    seen = set(frontier)
    for _ in range(depth + 1):
        following = []
        for current in frontier:
            node = scope.node(current)
            if node is None:
                continue
            if wanted(node):
                return node
            if through is not None and not through(node):
                continue
            for source in scope.data_inputs(node):
                if source not in seen:
                    seen.add(source)
                    following.append(source)
        frontier = following
    return None
