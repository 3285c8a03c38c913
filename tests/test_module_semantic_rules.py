"""The graph-semantics rules (HUB201-208, HUB212, HUB216) on real modules: what they say, where, and options."""

from __future__ import annotations

from hublint.module import lint_module
from tests.module_fixtures import all_rules_config
from tests.conftest import exported_module


def findings(name: str, rule_id: str, **config):
    path = str(exported_module(name))
    found, _ = lint_module(path, all_rules_config(select=(rule_id,), **config))
    return found


def test_hub201_names_the_kernels_once_per_module():
    (finding,) = findings("dense_noreg", "HUB201")
    assert "2 trainable kernel(s)" in finding.message
    assert "`dense/kernel`, `dense_1/kernel`" in finding.message
    assert finding.location.tag_set == ()


def test_hub201_tf2_reads_the_object_graph():
    (finding,) = findings("tf2_bare", "HUB201")
    assert "no `regularization_losses` attribute" in finding.message
    assert findings("tf2_reusable", "HUB201") == []


def test_hub202_one_finding_per_unregularized_kernel_across_tag_sets():
    found = findings("dense_noreg", "HUB202")
    assert [f.location.node for f in found] == ["dense/kernel", "dense_1/kernel"]
    (partial,) = findings("dense_partial_reg", "HUB202")
    assert partial.location.node == "dense_1/kernel"
    assert partial.message == "trainable kernel `dense_1/kernel` (MatMul) has no regularization loss"
    assert partial.fix.endswith("to the layer that creates `dense_1/kernel`")
    # Both meta graphs of the Keras module hold the same kernel: it is reported once.
    assert len(findings("batchnorm_keras_no_update_ops", "HUB202")) == 1


def test_hub203_reports_the_rate_and_honours_the_range_options():
    (finding,) = findings("dropout_always_on", "HUB203")
    assert finding.message == "dropout rate 0.7 is above the maximum 0.5"
    assert findings("dropout_always_on", "HUB203", dropout_rate_max=0.7) == []
    (low,) = findings("dropout_train_tags", "HUB203", dropout_rate_min=0.3)
    assert "at or below the minimum 0.3" in low.message
    assert low.location.tag_set == ("train",)


def test_hub204_only_unconditional_dropout_in_the_default_graph():
    (finding,) = findings("dropout_always_on", "HUB204")
    assert finding.location.tag_set == ()
    assert "rate 0.7" in finding.message
    assert findings("dropout_keep_prob", "HUB204") == []  # only in the train graph
    assert findings("dropout_cond_training_input", "HUB204") == []  # behind a cond
    (tf2,) = findings("tf2_bare", "HUB204")
    assert "without a `training` argument" in tf2.message


def test_hub205_momentum_and_option():
    (finding,) = findings("batchnorm_unfused", "HUB205")
    assert finding.message == "batch-norm momentum 0.9997 is above the maximum 0.99"
    assert finding.location.tag_set == ("train",)
    assert "`batch_normalization`" in finding.fix
    # tf-slim's three batch norms (Conv2d_1a_3x3, Conv2d_2a_3x3, Bottleneck) share one decay: one finding.
    (slim,) = findings("slim_arg_scope", "HUB205")
    assert slim.message == "batch-norm momentum 0.9997 is above the maximum 0.99 in 3 batch norms"
    assert slim.location.node.split("/")[0] == "Conv2d_1a_3x3" and "the 2 others" in slim.fix
    assert findings("slim_arg_scope", "HUB205", batchnorm_momentum_max=0.9997) == []
    assert findings("legacy_variables", "HUB205") == []  # 0.99 in float32 is not above 0.99


def test_hub206_training_batch_norm_in_the_default_graph():
    (finding,) = findings("batchnorm_training_in_inference", "HUB206")
    assert finding.location.node == "batch_normalization/FusedBatchNormV3"
    assert findings("dropout_cond_training_input", "HUB206") == []


def test_hub207_train_tags():
    (finding,) = findings("batchnorm_training_in_inference", "HUB207")
    assert finding.message == "batch norm but no meta graph is tagged `train`"
    (both,) = findings("dropout_cond_training_input", "HUB207")
    assert both.message.startswith("dropout and batch norm")
    assert findings("slim_arg_scope", "HUB207") == []
    (tf2,) = findings("tf2_bare", "HUB207")
    assert "`__call__` has no `training` argument" in tf2.message


def test_hub208_update_ops():
    (finding,) = findings("batchnorm_keras_no_update_ops", "HUB208")
    assert finding.location.tag_set == ("train",)
    assert "not in `update_ops`" in finding.message
    assert findings("slim_inplace_updates", "HUB208") == []


def test_hub212_names_op_and_strengths():
    found = findings("ftrl_in_graph", "HUB212")
    messages = {f.message for f in found}
    assert any("`ResourceApplyFtrl`" in m and "l1_regularization_strength=0.01" in m
               and "l2_regularization_strength=0.01" in m for m in messages)
    assert any("`ResourceApplyProximalGradientDescent`" in m and "l1_regularization_strength" not in m
               and "l2_regularization_strength=0.001" in m for m in messages)
    assert findings("ftrl_zero_strength", "HUB212") == []


def test_hub216_lists_the_missing_attributes():
    (finding,) = findings("tf2_bare", "HUB216")
    assert finding.message == (
        "the saved object has no `variables`, `trainable_variables`, `regularization_losses`"
    )
    assert findings("tf2_reusable", "HUB216") == []
    assert findings("dense_noreg", "HUB216") == []  # TF1 Hub format has no object graph
