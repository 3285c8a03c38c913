"""Variables, kernels and which kernels the exported regularization losses cover."""

from __future__ import annotations

from hublint.module.analysis.facts import Kernel, RegularizationLoss, Variable
from hublint.module.analysis.trace import VARIABLE_OPS, variable_behind
from hublint.module.graph import Graph, node_name

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
