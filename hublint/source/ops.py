"""The TensorFlow ops the source rules know, by canonical name (see :mod:`hublint.source.names`).

Each entry says which argument carries the setting a rule reads, at which
position it may be passed, and what the library uses when it is left out.
Layer objects have two entries: the constructor (``keras.layers.Dropout``,
which takes the rate) and the application (``keras.layers.Dropout.__call__``,
which takes ``training``).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Marks a library default that does not exist (the argument is required, or
#: the library decides at run time, like Keras' learning phase).
NO_DEFAULT = object()


@dataclass(frozen=True)
class Param:
    """One argument of an op: its keyword, its position (None: keyword only), its default."""

    keyword: str
    position: int | None = None
    default: object = NO_DEFAULT


# -- dropout ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DropoutOp:
    rate: Param | None = None  # the fraction dropped
    keep_prob: Param | None = None  # the fraction kept (old tf.nn.dropout, slim.dropout)
    training: Param | None = None  # the training flag, if the op has one


DROPOUT = {
    "tf.layers.dropout": DropoutOp(rate=Param("rate", 1, 0.5), training=Param("training", 4, False)),
    "tf.layers.Dropout": DropoutOp(rate=Param("rate", 0, 0.5)),
    "tf.layers.Dropout.__call__": DropoutOp(training=Param("training", 1, False)),
    "tf.nn.dropout": DropoutOp(rate=Param("rate"), keep_prob=Param("keep_prob")),
    "slim.dropout": DropoutOp(keep_prob=Param("keep_prob", 1, 0.5), training=Param("is_training", 3, True)),
}
for _name in ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"):
    DROPOUT[f"keras.layers.{_name}"] = DropoutOp(rate=Param("rate", 0))
    # Keras reads the learning phase when ``training`` is left out: no constant default.
    DROPOUT[f"keras.layers.{_name}.__call__"] = DropoutOp(training=Param("training", 1))

#: ``tf.nn.dropout``'s second positional argument: ``keep_prob`` in TF1, ``rate`` in TF2.
NN_DROPOUT_POSITIONAL = {"v1": "keep_prob", "v2": "rate"}


# -- batch normalization ----------------------------------------------------------------------


@dataclass(frozen=True)
class BatchNormOp:
    momentum: Param
    training: Param | None = None


BATCH_NORM = {
    "tf.layers.batch_normalization": BatchNormOp(Param("momentum", 2, 0.99), Param("training", None, False)),
    "tf.layers.BatchNormalization": BatchNormOp(Param("momentum", 1, 0.99)),
    "keras.layers.BatchNormalization": BatchNormOp(Param("momentum", 1, 0.99)),
    "slim.batch_norm": BatchNormOp(Param("decay", 1, 0.999), Param("is_training", 9, True)),
}
#: Applications of batch-norm layer objects: only the training flag.
BATCH_NORM_CALL = {
    "tf.layers.BatchNormalization.__call__": Param("training", 1, False),
    "keras.layers.BatchNormalization.__call__": Param("training", 1),
}


# -- weight layers ------------------------------------------------------------------------------

_KERNEL = ("kernel_regularizer",)
_SEPARABLE = ("depthwise_regularizer", "pointwise_regularizer")
_DEPTHWISE = ("depthwise_regularizer",)
_WEIGHTS = ("weights_regularizer",)

#: Ops that create a kernel, and the arguments that regularize it.
WEIGHT_LAYERS: dict[str, tuple[str, ...]] = {}
for _name in ("dense", "conv1d", "conv2d", "conv3d", "conv2d_transpose", "conv3d_transpose"):
    WEIGHT_LAYERS[f"tf.layers.{_name}"] = _KERNEL
for _name in ("separable_conv1d", "separable_conv2d"):
    WEIGHT_LAYERS[f"tf.layers.{_name}"] = _SEPARABLE
for _name in ("Dense", "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "Conv3DTranspose"):
    WEIGHT_LAYERS[f"tf.layers.{_name}"] = _KERNEL
for _name in ("SeparableConv1D", "SeparableConv2D"):
    WEIGHT_LAYERS[f"tf.layers.{_name}"] = _SEPARABLE
for _name in (
    "Dense", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
    "LocallyConnected1D", "LocallyConnected2D", "EinsumDense",
):
    WEIGHT_LAYERS[f"keras.layers.{_name}"] = _KERNEL
for _name in ("SeparableConv1D", "SeparableConv2D"):
    WEIGHT_LAYERS[f"keras.layers.{_name}"] = _SEPARABLE
for _name in ("DepthwiseConv1D", "DepthwiseConv2D"):
    WEIGHT_LAYERS[f"keras.layers.{_name}"] = _DEPTHWISE
for _name in (
    "fully_connected", "conv1d", "conv2d", "conv3d", "convolution", "conv2d_transpose",
    "conv3d_transpose", "separable_conv2d", "conv2d_in_plane",
):
    WEIGHT_LAYERS[f"slim.{_name}"] = _WEIGHTS

#: More positional arguments than this and hublint cannot tell whether one of
#: them is the regularizer (it sits at position 5 or later in every op above).
MAX_POSITIONAL_BEFORE_REGULARIZER = 5


# -- optimizers and estimators -------------------------------------------------------------------


@dataclass(frozen=True)
class ProximalOptimizer:
    l1: Param
    l2: Param
    l2_shrinkage: Param | None = None


PROXIMAL_OPTIMIZERS = {
    # FtrlOptimizer(learning_rate, learning_rate_power, initial_accumulator_value, l1, l2, ..., l2_shrinkage)
    "tf.train.FtrlOptimizer": ProximalOptimizer(
        Param("l1_regularization_strength", 3, 0.0),
        Param("l2_regularization_strength", 4, 0.0),
        Param("l2_shrinkage_regularization_strength", 9, 0.0),
    ),
    "tf.train.ProximalGradientDescentOptimizer": ProximalOptimizer(
        Param("l1_regularization_strength", 1, 0.0), Param("l2_regularization_strength", 2, 0.0)
    ),
    "tf.train.ProximalAdagradOptimizer": ProximalOptimizer(
        Param("l1_regularization_strength", 2, 0.0), Param("l2_regularization_strength", 3, 0.0)
    ),
    # Keras Ftrl(learning_rate, learning_rate_power, initial_accumulator_value, l1, l2, ...); the
    # position of l2_shrinkage differs between Keras 2 and Keras 3, so it counts only as a keyword.
    "keras.optimizers.Ftrl": ProximalOptimizer(
        Param("l1_regularization_strength", 3, 0.0),
        Param("l2_regularization_strength", 4, 0.0),
        Param("l2_shrinkage_regularization_strength", None, 0.0),
    ),
}

#: Estimators of wide (sparse linear) models and the argument that takes the linear part's optimizer.
LINEAR_OPTIMIZER_ARGUMENT = {
    "tf.estimator.DNNLinearCombinedClassifier": "linear_optimizer",
    "tf.estimator.DNNLinearCombinedRegressor": "linear_optimizer",
    "tf.estimator.DNNLinearCombinedEstimator": "linear_optimizer",
    "tf.estimator.LinearClassifier": "optimizer",
    "tf.estimator.LinearRegressor": "optimizer",
    "tf.estimator.LinearEstimator": "optimizer",
}

LEGACY_EXPORTERS = ("tf.estimator.LatestExporter", "tf.estimator.BestExporter")

# -- TF Hub ---------------------------------------------------------------------------------------

CREATE_MODULE_SPEC = "hub.create_module_spec"
ADD_SIGNATURE = "hub.add_signature"
HUB_MODULE_BUILDERS = (CREATE_MODULE_SPEC, ADD_SIGNATURE, "hub.Module")
MODULE_EXPORTER = "hub.LatestModuleExporter"
PLACEHOLDER = "tf.placeholder"
ARG_SCOPE = "slim.arg_scope"

# -- library arg scopes ---------------------------------------------------------------------------

_CONV_FC = ("slim.conv2d", "slim.fully_connected")
#: Arg-scope functions of tf-slim's nets (``tf_slim.nets``) and TF-Models' ``research/slim/nets``, and
#: the ops whose ``weights_regularizer`` they set (``l2_regularizer(weight_decay)``), read from their source.
LIBRARY_ARG_SCOPES = {
    "inception_v1_arg_scope": _CONV_FC,
    "inception_v2_arg_scope": _CONV_FC,
    "inception_v3_arg_scope": _CONV_FC,
    "inception_v4_arg_scope": _CONV_FC,
    "inception_arg_scope": _CONV_FC,
    "inception_resnet_v2_arg_scope": _CONV_FC,
    "alexnet_v2_arg_scope": _CONV_FC,
    "vgg_arg_scope": _CONV_FC,
    "overfeat_arg_scope": _CONV_FC,
    "cifarnet_arg_scope": _CONV_FC,
    "lenet_arg_scope": _CONV_FC,
    "resnet_arg_scope": ("slim.conv2d",),
    "mobilenet_v1_arg_scope": ("slim.conv2d",),
    "training_scope": ("slim.conv2d", "slim.fully_connected"),  # nets.mobilenet.mobilenet(_v2/_v3)
    "nasnet_cifar_arg_scope": (*_CONV_FC, "slim.separable_conv2d"),
    "nasnet_mobile_arg_scope": (*_CONV_FC, "slim.separable_conv2d"),
    "nasnet_large_arg_scope": (*_CONV_FC, "slim.separable_conv2d"),
    "pnasnet_large_arg_scope": (*_CONV_FC, "slim.separable_conv2d"),
    "pnasnet_mobile_arg_scope": (*_CONV_FC, "slim.separable_conv2d"),
}


def library_arg_scope(name: str) -> tuple[str, ...] | None:
    """The ops a catalogued nets arg-scope function regularizes, for its canonical ``name``
    (``slim.nets.inception_v3.inception_v3_arg_scope``, ``nets.resnet_utils.resnet_arg_scope``)."""
    package, _, function = name.rpartition(".")
    parts = package.split(".")
    if function in LIBRARY_ARG_SCOPES and "nets" in parts:
        return LIBRARY_ARG_SCOPES[function]
    return None


#: Every canonical name the rules above know: a name a star import (``from tf_slim import *``) may bring.
KNOWN_NAMES = frozenset(
    {*DROPOUT, *BATCH_NORM, *WEIGHT_LAYERS, *PROXIMAL_OPTIMIZERS, *LINEAR_OPTIMIZER_ARGUMENT, *LEGACY_EXPORTERS,
     *HUB_MODULE_BUILDERS, MODULE_EXPORTER, PLACEHOLDER, ARG_SCOPE, "slim.l2_regularizer", "slim.l1_regularizer"}
)
