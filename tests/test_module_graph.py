"""The graph model on real exported graphs: nodes, edges, attributes with stripped defaults, constants."""

from __future__ import annotations

import struct

import pytest

from hublint.module import proto
from hublint.module.graph import Graph, float32, node_name, tensor_value
from hublint.module.reader import load_module
from tests.conftest import exported_module


def graph_of(name: str, tag_set: tuple[str, ...] = ()) -> Graph:
    meta_graph = load_module(str(exported_module(name))).meta_graph(tag_set)
    assert meta_graph is not None, f"{name} has no meta graph with tags {tag_set}"
    return meta_graph.graph


def test_nodes_are_indexed_by_name():
    graph = graph_of("dense_noreg")
    proto_nodes = graph.proto.graph_def.node
    assert len(graph.nodes) == len(proto_nodes)
    matmul = graph.node("dense_1/MatMul")
    assert matmul.op == "MatMul"
    assert graph.node("dense_1/MatMul:0") is matmul
    assert graph.tensor_node("dense_1/MatMul:0") is matmul
    assert graph.node("no/such/node") is None


def test_data_inputs_drop_control_inputs_and_output_index():
    graph = graph_of("batchnorm_fused_ok", ("train",))
    # ReadVariableOp_1 re-reads the moving mean after the update: one data input, one control input.
    reread = graph.node("batch_normalization/AssignMovingAvg/ReadVariableOp_1")
    assert any(i.startswith("^") for i in reread.input)
    assert graph.data_inputs(reread) == ["batch_normalization/moving_mean"]
    difference = graph.node("batch_normalization/AssignMovingAvg/sub_1")
    assert "batch_normalization/FusedBatchNormV3:1" in difference.input
    assert "batch_normalization/FusedBatchNormV3" in graph.data_inputs(difference)


def test_consumers_and_control_consumers():
    graph = graph_of("batchnorm_fused_ok", ("train",))
    readers = {n.name for n in graph.consumers("batch_normalization/moving_mean")}
    assert "batch_normalization/AssignMovingAvg/AssignSubVariableOp" in readers
    assert "batch_normalization/FusedBatchNormV3/ReadVariableOp" in readers
    update = "batch_normalization/AssignMovingAvg/AssignSubVariableOp"
    assert update not in {n.name for n in graph.consumers(update)}
    assert "batch_normalization/AssignMovingAvg/ReadVariableOp_1" in {n.name for n in graph.control_consumers(update)}


def test_stripped_attribute_reads_the_op_default():
    graph = graph_of("batchnorm_training_in_inference")
    fused = next(n for n in graph if n.op == "FusedBatchNormV3")
    assert "is_training" not in fused.attr  # the export stripped the default
    assert graph.attr(fused, "is_training") is True
    inference = next(n for n in graph_of("batchnorm_fused_ok") if n.op == "FusedBatchNormV3")
    assert graph.attr(inference, "is_training") is False
    assert graph.attr(inference, "T") == "float32"


def test_const_values_are_decoded_as_written():
    graph = graph_of("dense_partial_reg")
    assert graph.const_value("dense/kernel/Regularizer/mul/x") == 0.0001  # float32, shown as written
    assert graph.const_value("dense/kernel/Initializer/random_uniform/shape") == (50, 20)
    assert graph.const_value("dense/MatMul") is None  # not a constant
    assert graph.const_value("dense/kernel") is None  # a variable has no value in the graph


def test_collections():
    graph = graph_of("dense_partial_reg")
    assert graph.collection("regularization_losses") == ["dense/kernel/Regularizer/mul:0"]
    assert graph.collection("no_such_collection") == []


def _meta_graph(*nodes) -> proto.MetaGraphDef:
    meta_graph = proto.MetaGraphDef()
    for name, op, inputs, attrs in nodes:
        node = meta_graph.graph_def.node.add(name=name, op=op)
        node.input.extend(inputs)
        for key, value in attrs.items():
            node.attr[key].CopyFrom(value)
    return meta_graph


def _scalar(value: float) -> proto.AttrValue:
    attr = proto.AttrValue()
    attr.tensor.dtype = 1
    attr.tensor.float_val.append(value)
    return attr


def test_const_value_follows_identity_and_cast():
    dst_int = proto.AttrValue(type=3)
    graph = Graph(_meta_graph(
        ("momentum", "Const", [], {"value": _scalar(0.997)}),
        ("momentum/read", "Identity", ["momentum", "^init"], {}),
        ("momentum/cast", "Cast", ["momentum/read"], {"DstT": dst_int}),
        ("init", "NoOp", [], {}),
    ))
    assert graph.const_value("momentum/read") == 0.997
    assert graph.const_value("momentum/cast") == 0
    assert graph.scalar("momentum/read:0") == 0.997


def test_tensor_content_and_broadcast_typed_values():
    content = proto.TensorProto(dtype=1, tensor_content=struct.pack("<3f", 0.5, 0.25, 2.0))
    content.tensor_shape.dim.add(size=3)
    assert tensor_value(content) == (0.5, 0.25, 2.0)
    broadcast = proto.TensorProto(dtype=3, int_val=[7])
    broadcast.tensor_shape.dim.add(size=4)
    assert tensor_value(broadcast) == (7, 7, 7, 7)
    half = proto.TensorProto(dtype=19, half_val=[struct.unpack("<H", struct.pack("<e", 0.5))[0]])
    assert tensor_value(half) == 0.5
    boolean = proto.TensorProto(dtype=10, bool_val=[True])
    assert tensor_value(boolean) is True
    big = proto.TensorProto(dtype=1, float_val=[1.0])
    big.tensor_shape.dim.add(size=10**7)
    assert tensor_value(big) is None  # too large to decode


def test_float32_gives_the_shortest_decimal():
    stored = struct.unpack("<f", struct.pack("<f", 0.9997))[0]
    assert stored != 0.9997
    assert float32(stored) == 0.9997


def test_node_name():
    assert node_name("^a/b") == "a/b"
    assert node_name("a/b:1") == "a/b"
    assert node_name("dense/MatMul:product:0") == "dense/MatMul"


def test_function_library_is_indexed_per_function():
    graph = graph_of("tf2_bare", ("serve",))
    call = next(f for name, f in graph.functions.items() if "__call__" in name)
    assert call.arguments, "a traced __call__ takes its input and the captured variables"
    matmuls = [n for n in call if n.op == "MatMul"]
    assert len(matmuls) == 2
    for matmul in matmuls:
        for source in call.data_inputs(matmul):
            assert ":" not in source
            assert call.node(source) is not None or source in call.arguments
    assert list(graph.scopes())[0] is graph
    assert len(list(graph.scopes())) == len(graph.functions) + 1


@pytest.mark.parametrize("name", ["dense_noreg", "slim_arg_scope"])
def test_graph_is_built_once_per_meta_graph(name):
    meta_graph = load_module(str(exported_module(name))).meta_graphs[0]
    assert meta_graph.graph is meta_graph.graph
    assert meta_graph.facts is meta_graph.facts
