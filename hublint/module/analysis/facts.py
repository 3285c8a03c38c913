"""What an exported meta graph computes, as plain frozen data the module rules judge.

The facts are named tuples rather than frozen dataclasses: the same immutable
records with the same fields, but building their classes costs ~0.1 ms instead
of ~0.6 ms each, and every run of the module pass pays for that at import.
"""

from __future__ import annotations

from typing import NamedTuple


class Variable(NamedTuple):
    """A module variable: ``dense/kernel``, its dtype and shape, and how it is stored."""

    name: str
    dtype: str
    shape: tuple[int, ...] | None
    trainable: bool
    resource: bool  # VarHandleOp (resource variable) rather than VariableV2


class Kernel(NamedTuple):
    """A trainable variable used as the weights of a MatMul / convolution."""

    variable: str
    ops: tuple[str, ...]  # op types reading it, e.g. ("MatMul",)
    nodes: tuple[str, ...]  # the nodes that read it


class RegularizationLoss(NamedTuple):
    """One tensor of the ``regularization_losses`` collection and the variables it depends on."""

    tensor: str
    variables: tuple[str, ...]


class Dropout(NamedTuple):
    """A random dropout mask: a uniform random tensor compared with the rate (or floored with keep_prob)."""

    node: str  # the random op
    rate: float | None  # None when the rate is not a constant (a placeholder, a variable)
    form: str  # "rate" (GreaterEqual with the rate) or "keep_prob" (Floor of keep_prob + uniform)
    conditional: bool  # inside a cond branch: only active when a training flag says so
    function: str = ""  # the library function holding it; "" for the top-level graph
    #: TF2: the traces reaching its function: "training", "inference", "training and inference",
    #: "unreached"; "" without an object graph (TF1: the tag set and ``conditional`` decide)
    mode: str = ""
    entry: str = ""  # TF2: how a consumer reaches it, e.g. "`__call__(training=False)`"


class MovingAverageUpdate(NamedTuple):
    """``AssignSub(var, (var - batch_statistic) * (1 - momentum))``: how batch norm learns its statistics."""

    node: str
    variable: str
    momentum: float | None
    batch_norm: str  # the batch norm node whose statistic it averages, "" when not found
    in_update_ops: bool  # listed in ``update_ops``, or the layer output waits for it (runs in place)
    function: str = ""


class BatchNorm(NamedTuple):
    """One batch normalization: fused op, or the unfused ``rsqrt(variance + epsilon)`` arithmetic."""

    node: str  # the FusedBatchNorm* node, or the Rsqrt of the unfused form
    fused: bool
    training: bool  # normalizes with batch statistics (training mode)
    conditional: bool  # inside a cond branch (a training flag chooses the mode at run time)
    momentum: float | None
    updates: tuple[str, ...]  # its moving-average update nodes
    updates_in_collection: bool  # every update is in ``update_ops`` (true when there are none)
    function: str = ""
    mode: str = ""  # as :attr:`Dropout.mode`
    entry: str = ""  # as :attr:`Dropout.entry`
    #: TF2: the variable scope of the layer whose trace holds it (``batch_normalization``), "" if unknown
    layer: str = ""


class ProximalOp(NamedTuple):
    """An optimizer op that applies L1/L2 regularization itself (FTRL, proximal GD / Adagrad)."""

    node: str
    op: str
    l1: float | None
    l2: float | None
    l2_shrinkage: float | None

    @property
    def strengths(self) -> dict[str, float]:
        """The non-zero constant strengths, by their optimizer argument name."""
        named = {
            "l1_regularization_strength": self.l1,
            "l2_regularization_strength": self.l2,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage,
        }
        return {name: value for name, value in named.items() if value}


class ReusableApi(NamedTuple):
    """What a TF2 SavedModel's root object exposes (the reusable SavedModel interface)."""

    attributes: tuple[str, ...]  # which of variables, trainable_variables, regularization_losses, __call__
    call_arguments: tuple[str, ...]  # the arguments of ``__call__`` (``()`` without one)
    #: Functions of the root object other than ``__call__`` (Keras 3 ``model.export()``: ``serve``)
    endpoints: tuple[str, ...] = ()
    signatures: tuple[str, ...] = ()  # the serving signatures (``serving_default``)
    #: Some concrete function was traced for training (``training=True`` or a tensor ``training``)
    has_training_trace: bool = False

    @property
    def missing(self) -> tuple[str, ...]:
        from hublint.module.analysis.saved_object import REQUIRED_ATTRIBUTES

        return tuple(name for name in REQUIRED_ATTRIBUTES if name not in self.attributes)

    @property
    def has_training_argument(self) -> bool:
        return "training" in self.call_arguments

    @property
    def inference_only(self) -> bool:
        """An inference-only artifact (what Keras 3 ``model.export()`` writes): endpoints or signatures
        but no ``__call__``, no training trace and no ``regularization_losses``: nothing to fine-tune with."""
        return (
            "__call__" not in self.attributes
            and "regularization_losses" not in self.attributes
            and not self.has_training_trace
            and bool(self.endpoints or self.signatures)
        )


class GraphFacts(NamedTuple):
    """Everything the module rules need to know about one meta graph."""

    variables: tuple[Variable, ...] = ()
    kernels: tuple[Kernel, ...] = ()
    regularization_losses: tuple[RegularizationLoss, ...] = ()
    dropouts: tuple[Dropout, ...] = ()
    batch_norms: tuple[BatchNorm, ...] = ()
    moving_average_updates: tuple[MovingAverageUpdate, ...] = ()
    proximal_ops: tuple[ProximalOp, ...] = ()
    #: Weight ops in library functions reading a variable passed in (TF2 layers), as ``function/node``.
    function_kernels: tuple[str, ...] = ()
    #: The reusable SavedModel interface; ``None`` for graphs without an object graph (TF1 Hub format).
    reusable: ReusableApi | None = None

    @property
    def regularized_variables(self) -> frozenset[str]:
        """Variables some exported regularization loss depends on."""
        return frozenset(v for loss in self.regularization_losses for v in loss.variables)

    @property
    def unregularized_kernels(self) -> tuple[Kernel, ...]:
        covered = self.regularized_variables
        return tuple(k for k in self.kernels if k.variable not in covered)

    @property
    def active_dropouts(self) -> tuple[Dropout, ...]:
        """Dropout active at inference: not chosen by a training flag, and (TF2) in a function an
        inference entry reaches, not only a ``training=True`` trace."""
        return tuple(d for d in self.dropouts if not d.conditional and _runs_at_inference(d.mode))

    @property
    def training_batch_norms(self) -> tuple[BatchNorm, ...]:
        """Batch norm fixed in training mode at inference (as :attr:`active_dropouts`)."""
        return tuple(b for b in self.batch_norms if b.training and not b.conditional and _runs_at_inference(b.mode))


def _runs_at_inference(mode: str) -> bool:
    """``""`` (no object graph: the tag set decides), ``inference``, ``training and inference``."""
    return mode not in ("training", "unreached")
