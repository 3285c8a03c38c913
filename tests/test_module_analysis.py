"""What the analysis reads from real exported graphs: kernels, regularization, dropout, batch norm, optimizers."""

from __future__ import annotations

import pytest

from hublint.module.analysis import analyze
from hublint.module.reader import load_module
from tests.conftest import exported_module


def facts_of(name: str, tag_set: tuple[str, ...] = ()):
    meta_graph = load_module(str(exported_module(name))).meta_graph(tag_set)
    assert meta_graph is not None, f"{name} has no meta graph with tags {tag_set}"
    return meta_graph.facts


def graph_of(name: str, tag_set: tuple[str, ...] = ()):
    return load_module(str(exported_module(name))).meta_graph(tag_set).graph


# -- kernels and regularization ---------------------------------------------------------------

def test_dense_noreg_kernels_are_exactly_the_two_dense_kernels():
    facts = facts_of("dense_noreg")
    assert [k.variable for k in facts.kernels] == ["dense/kernel", "dense_1/kernel"]
    assert all(k.ops == ("MatMul",) for k in facts.kernels)
    assert "dense/bias" in {v.name for v in facts.variables if v.trainable}  # a bias is no kernel
    assert facts.regularization_losses == ()
    assert [k.variable for k in facts.unregularized_kernels] == ["dense/kernel", "dense_1/kernel"]


def test_partial_regularization_covers_only_the_regularized_kernel():
    facts = facts_of("dense_partial_reg")
    assert [(loss.tensor, loss.variables) for loss in facts.regularization_losses] == [
        ("dense/kernel/Regularizer/mul:0", ("dense/kernel",)),
    ]
    assert [k.variable for k in facts.unregularized_kernels] == ["dense_1/kernel"]


def test_legacy_variablev2_kernels_are_followed_through_read_identity():
    facts = facts_of("legacy_variables")
    kernels = {k.variable for k in facts.kernels}
    assert kernels == {"dense/kernel", "dense_1/kernel"}
    assert not any(v.resource for v in facts.variables)
    assert facts.unregularized_kernels == ()


def test_slim_weights_are_kernels_covered_by_their_regularizers():
    facts = facts_of("slim_arg_scope")
    assert {k.variable for k in facts.kernels} == {
        "Conv2d_1a_3x3/weights", "Conv2d_2a_3x3/weights", "Bottleneck/weights",
    }
    assert {k.ops for k in facts.kernels} == {("Conv2D",), ("MatMul",)}
    assert facts.unregularized_kernels == ()


def test_text_embedding_is_not_a_kernel():
    facts = facts_of("text_embedding")
    graph = graph_of("text_embedding")
    embeddings = [v.name for v in facts.variables if v.trainable]
    assert embeddings, "the module has a trainable embedding"
    assert any(n.op in ("ResourceGather", "GatherV2", "Gather") for n in graph)
    assert facts.kernels == ()


# -- dropout ----------------------------------------------------------------------------------

def test_dropout_always_on_rate_is_read_from_the_comparison():
    (dropout,) = facts_of("dropout_always_on").dropouts
    assert dropout.rate == 0.7
    assert dropout.form == "rate"
    assert not dropout.conditional


def test_initializer_random_uniform_is_not_dropout():
    graph = graph_of("dense_noreg")
    assert any(n.op == "RandomUniform" for n in graph), "glorot_uniform initializers draw uniform numbers"
    assert facts_of("dense_noreg").dropouts == ()


def test_keep_prob_becomes_a_rate_and_lives_only_in_the_train_graph():
    assert facts_of("dropout_keep_prob").dropouts == ()
    (dropout,) = facts_of("dropout_keep_prob", ("train",)).dropouts
    assert dropout.rate == 0.8  # keep_prob=0.2


def test_layers_dropout_without_training_is_an_identity():
    assert facts_of("dropout_train_tags").dropouts == ()
    (dropout,) = facts_of("dropout_train_tags", ("train",)).dropouts
    assert dropout.rate == 0.3


def test_dropout_and_batch_norm_behind_a_cond_are_conditional():
    facts = facts_of("dropout_cond_training_input")
    (dropout,) = facts.dropouts
    assert dropout.rate == 0.3 and dropout.conditional
    assert facts.active_dropouts == ()
    training = [b for b in facts.batch_norms if b.training]
    assert training and all(b.conditional for b in training)
    assert facts.training_batch_norms == ()


def test_tf2_dropout_is_found_in_the_function_library():
    (dropout,) = facts_of("tf2_bare", ("serve",)).dropouts
    assert dropout.rate == 0.2 and dropout.function
    reusable = facts_of("tf2_reusable", ("serve",))
    assert reusable.dropouts and all(d.rate == 0.3 for d in reusable.dropouts)


# -- batch norm -------------------------------------------------------------------------------

def test_unfused_momentum_is_read_from_the_update_arithmetic():
    (inference,) = facts_of("batchnorm_unfused").batch_norms
    assert not inference.fused and not inference.training
    (training,) = facts_of("batchnorm_unfused", ("train",)).batch_norms
    assert not training.fused and training.training
    assert training.momentum == 0.9997
    assert len(training.updates) == 2 and training.updates_in_collection


def test_fused_momentum_is_read_from_sub_one_momentum():
    (batch_norm,) = facts_of("batchnorm_fused_high_momentum", ("train",)).batch_norms
    assert batch_norm.fused and batch_norm.training and batch_norm.momentum == 0.999
    (ok,) = facts_of("batchnorm_fused_ok", ("train",)).batch_norms
    assert ok.momentum == 0.9


def test_slim_decay_is_found_without_a_decay_node():
    graph = graph_of("slim_arg_scope", ("train",))
    assert not any(n.name.startswith("Conv2d_1a_3x3/") and n.name.endswith("/decay") for n in graph)
    facts = facts_of("slim_arg_scope", ("train",))
    momenta = {b.node: b.momentum for b in facts.batch_norms}
    assert momenta["Conv2d_1a_3x3/BatchNorm/FusedBatchNormV3"] == 0.9997
    assert set(momenta.values()) == {0.9997}
    assert all(b.updates_in_collection for b in facts.batch_norms)


def test_training_mode_from_a_stripped_is_training_attribute():
    (batch_norm,) = facts_of("batchnorm_training_in_inference").batch_norms
    assert batch_norm.training and not batch_norm.conditional
    assert facts_of("batchnorm_training_in_inference").training_batch_norms == (batch_norm,)


def test_keras_updates_are_missing_from_update_ops():
    (batch_norm,) = facts_of("batchnorm_keras_no_update_ops", ("train",)).batch_norms
    assert batch_norm.momentum == 0.9
    assert len(batch_norm.updates) == 2
    assert not batch_norm.updates_in_collection


def test_slim_in_place_updates_count_as_run():
    facts = facts_of("slim_inplace_updates", ("train",))
    assert graph_of("slim_inplace_updates", ("train",)).collection("update_ops") == []
    assert facts.batch_norms and all(b.updates and b.updates_in_collection for b in facts.batch_norms)


def test_momentum_at_the_limit_survives_float32():
    (batch_norm,) = [b for b in facts_of("legacy_variables", ("train",)).batch_norms if b.training]
    assert batch_norm.momentum == 0.99


# -- optimizers and TF2 interface -------------------------------------------------------------

def test_proximal_optimizer_strengths():
    ops = facts_of("ftrl_in_graph", ("train",)).proximal_ops
    ftrl = [op for op in ops if op.op == "ResourceApplyFtrl"]
    proximal = [op for op in ops if op.op == "ResourceApplyProximalGradientDescent"]
    assert ftrl and all((op.l1, op.l2) == (0.01, 0.01) for op in ftrl)
    assert proximal and all((op.l1, op.l2) == (0.0, 0.001) for op in proximal)
    assert facts_of("ftrl_in_graph").proximal_ops == ()
    zero = facts_of("ftrl_zero_strength", ("train",)).proximal_ops
    assert zero and all(op.strengths == {} for op in zero)


def test_reusable_savedmodel_interface():
    full = facts_of("tf2_reusable", ("serve",)).reusable
    assert full.missing == () and full.has_training_argument
    bare = facts_of("tf2_bare", ("serve",)).reusable
    assert set(bare.missing) == {"variables", "trainable_variables", "regularization_losses"}
    assert not bare.has_training_argument
    assert len(facts_of("tf2_bare", ("serve",)).function_kernels) == 2
    assert facts_of("dense_noreg").reusable is None


@pytest.mark.parametrize("name", ["dense_noreg", "slim_arg_scope", "tf2_reusable"])
def test_analyze_accepts_a_meta_graph_def(name):
    meta_graph = load_module(str(exported_module(name))).meta_graphs[0]
    assert analyze(meta_graph.proto) == meta_graph.facts


@pytest.mark.parametrize("name", ["slim_arg_scope", "dropout_cond_training_input", "ftrl_in_graph", "tf2_reusable"])
def test_damaged_graphs_give_facts_not_tracebacks(name):
    """Rewired ops, lost inputs and attributes, garbage constants: the analysis still answers."""
    import random

    from hublint.module import proto

    rng = random.Random(name)
    ops = ["Const", "Identity", "Mul", "Sub", "AssignSubVariableOp", "FusedBatchNormV3", "RandomUniform",
           "GreaterEqual", "Floor", "AddV2", "Rsqrt", "MatMul", "ReadVariableOp", "VarHandleOp", "Switch",
           "ResourceApplyFtrl", "If", "Cast"]
    original = load_module(str(exported_module(name))).meta_graphs[-1].proto
    for _ in range(10):
        damaged = proto.MetaGraphDef()
        damaged.CopyFrom(original)
        nodes = damaged.graph_def.node
        for node in nodes:
            roll = rng.random()
            if roll < 0.1:
                node.op = rng.choice(ops)
            elif roll < 0.15:
                del node.input[:]
            elif roll < 0.2:
                node.input.append(rng.choice(["missing:1", "^missing", nodes[rng.randrange(len(nodes))].name]))
            elif roll < 0.25:
                node.attr.clear()
            elif roll < 0.3 and "value" in node.attr:
                node.attr["value"].tensor.tensor_content = b"\x01\x02\x03"
        facts = analyze(damaged)
        assert all(k.variable for k in facts.kernels)
