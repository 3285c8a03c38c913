"""Variables, kernels and which kernels the exported regularization losses cover.

TF1 graphs: from the top-level graph and its collections.  TF2 SavedModels
(``object_*``): from the object graph and the functions its objects hold
(:class:`~hublint.module.analysis.object_graph.ObjectGraph`), named by object path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hublint.module.analysis.facts import Kernel, RegularizationLoss, Variable
from hublint.module.analysis.trace import VARIABLE_OPS, variable_behind
from hublint.module.graph import Graph, node_name

if TYPE_CHECKING:
    from hublint.module.analysis.object_graph import ObjectGraph

# Weight-reading ops and which of their inputs can be the weights.  MatMul-like
# ops get both inputs checked (``tf.matmul(w, x)`` is legal); convolutions take
# the filter as input 1, transposed convolutions (Conv*BackpropInput) too.
KERNEL_INPUTS = {
    "MatMul": (0, 1),
    "_FusedMatMul": (0, 1),
    "BatchMatMul": (0, 1),
    "BatchMatMulV2": (0, 1),
    "BatchMatMulV3": (0, 1),
    "Einsum": (0, 1),
    "Conv2D": (1,),
    "_FusedConv2D": (1,),
    "Conv3D": (1,),
    "DepthwiseConv2dNative": (1,),
    "Conv2DBackpropInput": (1,),
    "Conv3DBackpropInput": (1,),
    "Conv3DBackpropInputV2": (1,),
}


def variables(graph: Graph) -> tuple[Variable, ...]:
    """The module's variables: the ``variables`` collection, else the variable nodes of the graph."""
    from hublint.module import proto

    trainable = {
        node_name(definition.variable_name) if definition is not None else ""
        for definition in graph.parsed_collection("trainable_variables", proto.VariableDef)
    }
    names: dict[str, None] = {}  # a dict: ordered, and no quadratic membership test
    flagged: set[str] = set()
    for definition in graph.parsed_collection("variables", proto.VariableDef):
        name = node_name(definition.variable_name) if definition is not None else ""
        if name and name not in names:
            names[name] = None
            if definition.trainable:
                flagged.add(name)
    if not names:
        names = dict.fromkeys(node.name for node in graph.with_ops(VARIABLE_OPS))
    found = []
    for name in names:
        node = graph.node(name)
        dtype = graph.attr(node, "dtype") if node is not None else None
        shape = graph.attr(node, "shape") if node is not None else None
        found.append(Variable(
            name=name,
            dtype=str(dtype).removesuffix("_ref") if dtype else "",
            shape=tuple(shape) if shape is not None else None,
            trainable=name in trainable or name in flagged,
            resource=node is not None and node.op == "VarHandleOp",
        ))
    return tuple(found)


def kernels(graph: Graph, trainable: frozenset[str]) -> tuple[Kernel, ...]:
    """Trainable variables read as the weights of a MatMul or convolution (embeddings are not)."""
    readers: dict[str, list] = {}
    for node in graph.with_ops(KERNEL_INPUTS):
        indices = KERNEL_INPUTS[node.op]
        inputs = graph.data_inputs(node)
        for index in indices:
            if index < len(inputs):
                variable = variable_behind(graph, inputs[index])
                if variable in trainable:
                    readers.setdefault(variable, []).append(node)
    return tuple(
        Kernel(
            variable=variable,
            ops=tuple(sorted({n.op for n in nodes})),
            nodes=tuple(n.name for n in nodes),
        )
        for variable, nodes in sorted(readers.items())
    )


def regularization_losses(graph: Graph) -> tuple[RegularizationLoss, ...]:
    """Each ``regularization_losses`` tensor with the variables it is computed from.

    The walk back stops at weight ops: an activity regularizer reads the layer's
    output, which depends on every earlier kernel without regularizing any.
    """
    losses = []
    for tensor in graph.collection("regularization_losses"):
        tensor = tensor.decode() if isinstance(tensor, bytes) else tensor
        reached = graph.walk_back([tensor], stop=lambda node: node.op in KERNEL_INPUTS)
        found = sorted(
            name for name in reached
            if (node := graph.node(name)) is not None and node.op in VARIABLE_OPS
        )
        losses.append(RegularizationLoss(tensor=tensor, variables=tuple(found)))
    return tuple(losses)


def function_kernels(graph: Graph) -> tuple[str, ...]:
    """Weight ops of library functions whose weights are a function argument (a captured variable)."""
    found = []
    for function in graph.functions.values():
        arguments = set(function.arguments)
        for node in function.with_ops(KERNEL_INPUTS):
            indices = KERNEL_INPUTS[node.op]
            inputs = function.data_inputs(node)
            if any(i < len(inputs) and variable_behind(function, inputs[i]) in arguments for i in indices):
                found.append(f"{function.name}/{node.name}")
    return tuple(found)


# -- TF2 SavedModels: the object graph and the functions ------------------------------------

def object_variables(objects: ObjectGraph) -> tuple[Variable, ...]:
    """The variables of a TF2 object graph (:class:`ObjectGraph`), named by their readable object path."""
    from hublint.module.graph import dtype_name

    return tuple(
        Variable(
            name=variable.path,
            dtype=dtype_name(variable.dtype) if variable.dtype else "",
            shape=variable.shape,
            trainable=variable.trainable,
            resource=True,
        )
        for variable in objects.variables
    )


def object_kernels(objects: ObjectGraph) -> tuple[Kernel, ...]:
    """Trainable variables some saved function reads as the weights of a MatMul or convolution.

    Every concrete function of the object graph counts (``__call__`` traces,
    signatures, Keras layer calls) except the regularization losses; a
    variable is matched to a function's weight op through the function's
    captures and the calls between library functions.  ``nodes`` is empty:
    the ops sit inside generated functions whose names mean nothing to users.
    """
    ops: dict[int, set[str]] = {}
    loss_functions = objects.loss_functions
    for function in objects.functions:
        if function in loss_functions:
            continue
        for node_id, found in objects.kernel_variables(function).items():
            ops.setdefault(node_id, set()).update(found)
    trainable = {v.node_id: v for v in objects.variables if v.trainable}
    kernels = [
        Kernel(variable=trainable[node_id].path, ops=tuple(sorted(found)), nodes=())
        for node_id, found in ops.items() if node_id in trainable
    ]
    return tuple(sorted(kernels))


def object_regularization_losses(objects: ObjectGraph) -> tuple[RegularizationLoss, ...]:
    """Each function of the root's ``regularization_losses`` with the variables its value is computed from."""
    losses = []
    for path, functions in objects.regularization_loss_functions():
        read: set[int] = set()
        for function in functions:
            read |= objects.variables_read(function)
        names = sorted(objects.readable_path(node_id) for node_id in read)
        losses.append(RegularizationLoss(tensor=path, variables=tuple(names)))
    return tuple(losses)
