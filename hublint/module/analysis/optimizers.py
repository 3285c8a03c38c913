"""Optimizer ops that regularize by themselves (FTRL, proximal gradient descent / Adagrad)."""

from __future__ import annotations

from hublint.module.analysis.facts import ProximalOp
from hublint.module.analysis.trace import fold

# op -> (l1 input, l2 input, l2_shrinkage input), from TensorFlow's op definitions.
PROXIMAL_INPUTS = {
    "ApplyFtrl": (5, 6, None),
    "ResourceApplyFtrl": (5, 6, None),
    "ApplyFtrlV2": (5, 6, 7),
    "ResourceApplyFtrlV2": (5, 6, 7),
    "SparseApplyFtrl": (6, 7, None),
    "ResourceSparseApplyFtrl": (6, 7, None),
    "SparseApplyFtrlV2": (6, 7, 8),
    "ResourceSparseApplyFtrlV2": (6, 7, 8),
    "ApplyProximalGradientDescent": (2, 3, None),
    "ResourceApplyProximalGradientDescent": (2, 3, None),
    "SparseApplyProximalGradientDescent": (2, 3, None),
    "ResourceSparseApplyProximalGradientDescent": (2, 3, None),
    "ApplyProximalAdagrad": (3, 4, None),
    "ResourceApplyProximalAdagrad": (3, 4, None),
    "SparseApplyProximalAdagrad": (3, 4, None),
    "ResourceSparseApplyProximalAdagrad": (3, 4, None),
}


def find_proximal_ops(scope) -> list[ProximalOp]:
    """Every proximal optimizer op of ``scope`` with its constant strengths (``None`` if not constant).

    FTRL feeds l2 as ``l2 + beta / (2 * learning_rate)``: the arithmetic is folded.
    """
    found = []
    for node in scope.with_ops(PROXIMAL_INPUTS):
        indices = PROXIMAL_INPUTS[node.op]
        inputs = scope.data_inputs(node)

        def strength(index):
            if index is None or index >= len(inputs):
                return None
            return fold(scope, inputs[index])

        l1, l2, shrinkage = (strength(i) for i in indices)
        found.append(ProximalOp(node=node.name, op=node.op, l1=l1, l2=l2, l2_shrinkage=shrinkage))
    return found
