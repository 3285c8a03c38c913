"""The source rules on publisher code beyond their own examples.

Each test is one story: the variation of a publisher's code that must fire,
the one that must not, and tf-slim's own nets as the real code that proves
hublint does not cry wolf.
"""

from __future__ import annotations

import importlib.util
import os
import textwrap
from collections import Counter

import pytest

from hublint.source import check_tree, lint_file, lint_text
from hublint.source.parse import parse_source, release

HEADER = """\
import functools
import tensorflow.compat.v1 as tf
import tensorflow_hub as hub
import tf_slim as slim
"""


@pytest.fixture
def lint(make_config):
    """``lint(code, rule, **config)``: the findings of one rule on ``code`` (HEADER imports prepended)."""

    def run(code: str, rule: str, **fields):
        # HUB001 too: a snippet that does not parse must fail the test, not pass it silently.
        config = make_config(select=(rule, "HUB001"), **fields)
        return lint_text(HEADER + textwrap.dedent(code), "publisher.py", config)

    return run


def module(body: str, tags: str = "[(set(), {}), ({'train'}, {'is_training': True})]") -> str:
    """A module function with ``body`` and a create_module_spec call with ``tags``."""
    return (
        "def module_fn(is_training=False):\n"
        "    x = tf.placeholder(tf.float32, [None, 8])\n"
        + textwrap.indent(textwrap.dedent(body), "    ")
        + "    hub.add_signature(inputs=x, outputs=x)\n\n"
        + f"spec = hub.create_module_spec(module_fn, tags_and_args={tags})\n"
    )


# -- HUB101 ----------------------------------------------------------------------------------


def test_hub101_linear_l1_is_accepted_only_alone_and_only_when_allowed(lint):
    code = """
    linear_opt = tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.5)
    wide = tf.estimator.DNNLinearCombinedClassifier(linear_optimizer=linear_opt)
    both = tf.estimator.LinearRegressor(
        optimizer=tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.5, l2_regularization_strength=0.1))
    """
    findings = lint(code, "HUB101")
    assert [f.location.line for f in findings] == [9]
    assert "l2_regularization_strength=0.1" in findings[0].message
    assert len(lint(code, "HUB101", allow_linear_l1=False)) == 2


def test_hub101_reads_positional_strengths_and_parameter_defaults(lint):
    code = """
    opt = tf.train.ProximalAdagradOptimizer(0.1, 0.1, 0.0, 0.01)
    def make(l2=0.001):
        return tf.train.ProximalGradientDescentOptimizer(0.1, l2_regularization_strength=l2)
    zero = tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.0)
    """
    messages = [f.message for f in lint(code, "HUB101")]
    assert len(messages) == 2
    assert "l2_regularization_strength=0.01" in messages[0]
    assert "the default of parameter l2" in messages[1]


# -- HUB102 ----------------------------------------------------------------------------------


def test_hub102_arg_scope_from_a_scope_function_regularizes_helpers(lint):
    code = """
    def net_arg_scope(weight_decay=4e-5):
        with slim.arg_scope([slim.conv2d, slim.fully_connected],
                            weights_regularizer=slim.l2_regularizer(weight_decay)) as sc:
            return sc

    def tower(x):
        x = slim.conv2d(x, 8, [3, 3])
        return slim.fully_connected(x, 4)

    def module_fn():
        x = tf.placeholder(tf.float32, [None, 8, 8, 3])
        with slim.arg_scope(net_arg_scope()):
            y = tower(x)
        z = slim.separable_conv2d(x, 8, [3, 3], 1)
        hub.add_signature(inputs=x, outputs=y)

    spec = hub.create_module_spec(module_fn)
    """
    findings = lint(code, "HUB102")
    assert len(findings) == 1
    assert "slim.separable_conv2d" in findings[0].message
    assert "slim.arg_scope" in findings[0].fix


def test_hub102_judges_each_layer_family_by_its_own_regularizer_argument(lint):
    code = """
    def build(x):
        k = tf.keras.layers.DepthwiseConv2D(3, depthwise_regularizer=tf.keras.regularizers.l2(1e-4))
        s = tf.keras.layers.SeparableConv2D(8, 3, kernel_regularizer=tf.keras.regularizers.l2(1e-4))
        d = tf.layers.dense(x, 4, kernel_regularizer=None)
        p = tf.layers.dense(x, 4, **layer_options)
    """
    findings = lint(code, "HUB102", scope="all")
    assert [f.location.line for f in findings] == [8, 9]
    assert "depthwise_regularizer or pointwise_regularizer" in findings[0].message
    assert "kernel_regularizer=None" in findings[1].message


def test_hub102_keras_regularizers_in_a_tf1_module_function_are_not_exported(lint):
    body = "y = tf.keras.layers.Dense(4, kernel_regularizer=tf.keras.regularizers.l2(1e-4))(x)\n"
    (finding,) = lint(module(body), "HUB102")
    assert "not exported" in finding.message and "tf.layers" in finding.fix
    collected = body + "tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, y)\n"
    assert lint(module(collected), "HUB102") == []
    # Outside a module function the same Keras layer is ordinary Keras code.
    assert lint("def build(x):\n    " + body, "HUB102", scope="all") == []


def test_hub102_arg_scope_with_unpacked_params_may_supply_the_regularizer(lint):
    code = module(
        """
        with slim.arg_scope([slim.conv2d], **conv_params):
            y = slim.conv2d(x, 8, [3, 3])
        with slim.arg_scope([slim.fully_connected], **fc_params):
            z = slim.conv2d(x, 8, [3, 3])
        """
    )
    assert [f.location.line for f in lint(code, "HUB102")] == [11]


def test_hub102_scope_option_decides_whether_library_code_counts(lint):
    code = """
    def build_classifier(x):
        return tf.layers.dense(x, 10)
    """
    assert lint(code, "HUB102") == []
    assert len(lint(code, "HUB102", scope="all")) == 1


# -- HUB103 ----------------------------------------------------------------------------------


def test_hub103_reads_keep_prob_defaults_and_the_configured_range(lint):
    code = module(
        """
        a = tf.layers.dropout(x, training=is_training)            # default rate 0.5: fine
        b = slim.dropout(x, is_training=is_training)              # default keep_prob 0.5: fine
        c = slim.dropout(x, 0.4, is_training=is_training)         # rate 0.6
        d = tf.keras.layers.Dropout(1 - 0.9)                      # rate 0.1
        e = tf.nn.dropout(x, 1.0) if is_training else x           # compat.v1: keep_prob 1.0, rate 0
        """
    )
    findings = lint(code, "HUB103")
    assert [(f.location.line, f.message) for f in findings] == [
        (10, "dropout rate 0.6 (keep_prob=0.4) is above the maximum 0.5"),
        (12, "dropout rate 0 (keep_prob=1) is 0: this dropout drops nothing"),
    ]
    strict = lint(code, "HUB103", dropout_rate_min=0.2, dropout_rate_max=0.5)
    assert [f.location.line for f in strict] == [10, 11, 12]


def test_hub103_positional_tf_nn_dropout_is_ambiguous_without_compat(make_config):
    code = "import tensorflow as tf\ny = tf.nn.dropout(x, 0.9)\n"
    assert lint_text(code, "p.py", make_config(select=("HUB103",), scope="all")) == []
    v1 = code.replace("import tensorflow as tf", "import tensorflow.compat.v1 as tf")
    v2 = code.replace("import tensorflow as tf", "import tensorflow.compat.v2 as tf")
    assert lint_text(v1, "p.py", make_config(select=("HUB103",), scope="all")) == []  # keep_prob 0.9
    assert len(lint_text(v2, "p.py", make_config(select=("HUB103",), scope="all"))) == 1  # rate 0.9


# -- HUB104 ----------------------------------------------------------------------------------


def test_hub104_keras_dropout_layer_without_training_in_module_code(lint):
    code = module(
        """
        x = tf.keras.layers.Dropout(0.3)(x)
        drop = tf.keras.layers.Dropout(0.3)
        x = drop(x, training=is_training)
        """
    )
    findings = lint(code, "HUB104")
    assert len(findings) == 1 and "without training" in findings[0].message


def test_hub104_keras_functional_models_outside_module_code_are_left_alone(lint):
    code = """
    def build_model(inputs):
        return tf.keras.layers.Dropout(0.3)(inputs)
    """
    assert lint(code, "HUB104", scope="all") == []


def test_hub104_tf_nn_dropout_driven_by_the_tag_set_is_fine(lint):
    driven = module(
        """
        x = tf.nn.dropout(x, keep_prob=keep_prob)
        y = tf.cond(is_training, lambda: tf.nn.dropout(x, rate=0.5), lambda: x)
        """,
        tags="[(set(), {'keep_prob': 1.0}), ({'train'}, {'keep_prob': 0.8})]",
    ).replace("is_training=False", "is_training=False, keep_prob=1.0")
    assert lint(driven, "HUB104") == []
    fixed = driven.replace("tags_and_args=[(set(), {'keep_prob': 1.0}), ({'train'}, {'keep_prob': 0.8})]",
                           "tags_and_args=[(set(), {}), ({'train'}, {})]")
    fixed = fixed.replace("keep_prob=1.0", "keep_prob=0.8", 1)
    (finding,) = lint(fixed, "HUB104")
    assert "keep_prob=0.8 (the default of parameter keep_prob)" in finding.message


def test_hub104_slim_dropout_defaults_to_training_mode(lint):
    code = module("x = slim.dropout(x, 0.8)\n")
    (finding,) = lint(code, "HUB104")
    assert "default is_training=True" in finding.message


# -- HUB105 ----------------------------------------------------------------------------------


def test_hub105_parameter_default_flows_into_decay_unless_a_caller_overrides_it(lint):
    code = """
    def net_arg_scope(batch_norm_decay=0.9997):
        with slim.arg_scope([slim.batch_norm], decay=batch_norm_decay) as sc:
            return sc
    """
    (finding,) = lint(code, "HUB105", scope="all")
    assert finding.message == (
        "this arg_scope sets decay=0.9997 (the default of parameter batch_norm_decay), above the maximum 0.99"
    )
    overridden = textwrap.dedent(code) + "\nwith slim.arg_scope(net_arg_scope(batch_norm_decay=0.95)):\n    pass\n"
    assert lint(overridden, "HUB105", scope="all") == []


def test_hub105_library_defaults_and_threshold(lint):
    code = module(
        """
        a = tf.layers.batch_normalization(x, training=is_training)          # 0.99 default: fine
        b = tf.keras.layers.BatchNormalization()                           # 0.99 default: fine
        c = slim.batch_norm(x, is_training=is_training)                     # 0.999 default
        d = tf.keras.layers.BatchNormalization(momentum=0.995)
        """
    )
    assert [f.location.line for f in lint(code, "HUB105")] == [10, 11]
    assert [f.location.line for f in lint(code, "HUB105", batchnorm_momentum_max=0.9995)] == []


def test_hub105_slim_default_in_open_library_code_is_left_to_the_callers_arg_scope(lint):
    code = """
    def block(x):
        return slim.batch_norm(x)
    """
    assert lint(code, "HUB105", scope="all") == []


# -- HUB106 / HUB107 -----------------------------------------------------------------------------


def test_hub106_constant_flags_in_calls_and_arg_scopes(lint):
    code = module(
        """
        with slim.arg_scope([slim.batch_norm], is_training=True):
            a = slim.batch_norm(x)
        b = tf.layers.batch_normalization(x)
        if is_training:
            c = tf.layers.batch_normalization(x, training=True)
        d = tf.keras.layers.BatchNormalization()(x, training=is_training)
        """
    )
    findings = lint(code, "HUB106")
    assert [(f.location.line, f.message) for f in findings] == [
        (8, "the arg_scope of slim.batch_norm has a fixed is_training=True"),
        (10, "tf.layers.batch_normalization has a fixed default training=False"),
    ]


def test_hub107_needs_a_train_tag_set_but_trusts_computed_ones(lint):
    body = "x = tf.layers.batch_normalization(x, training=is_training)\n"
    assert len(lint(module(body, tags="[(set(), {})]"), "HUB107")) == 1
    assert lint(module(body, tags="[(tags, {'is_training': 'train' in tags}) for tags in TAG_SETS]"), "HUB107") == []
    assert lint(module(body), "HUB107") == []
    assert lint(module("x = tf.layers.batch_normalization(x, training=False)\n", tags="None"), "HUB107") == []


# -- HUB108 -----------------------------------------------------------------------------------


def test_hub108_follows_helpers_partial_and_leaves_later_filled_dicts_alone(lint):
    code = """
    def add_signatures(x, y):
        outputs = {"embedding": y}
        outputs["default"] = y
        hub.add_signature(inputs=x, outputs=outputs)

    def module_fn(width):
        x = tf.placeholder(tf.float32, [None, width])
        add_signatures(x, x)

    def other_fn():
        x = tf.placeholder(tf.float32, [None, 4])
        hub.add_signature(inputs=x, outputs=dict(embedding=x, **extra))

    spec = hub.create_module_spec(functools.partial(module_fn, width=4))
    other = hub.create_module_spec(other_fn)
    """
    assert lint(code, "HUB108") == []


# -- HUB109 / HUB111 ----------------------------------------------------------------------------


def test_hub109_reads_constants_and_positional_shapes(lint):
    code = module(
        """
        a = tf.placeholder(tf.float32, (BATCH, 8))
        b = tf.placeholder(tf.float32)
        c = tf.placeholder(tf.float32, shape=[None, BATCH])
        """
    ).replace("def module_fn", "BATCH = 16\n\ndef module_fn")
    (finding,) = lint(code, "HUB109")
    assert finding.message == "placeholder shape (BATCH, 8) fixes the batch dimension to 16"
    assert finding.fix == "use None as the first dimension: shape=[None, 8]"


def test_hub111_only_where_the_file_builds_hub_modules(lint):
    exporter = "exporter = tf.estimator.BestExporter(name='best', serving_input_receiver_fn=fn)\n"
    assert lint(exporter, "HUB111") == []
    assert len(lint(exporter + "spec = hub.create_module_spec(module_fn)\n", "HUB111")) == 1


# -- real code: tf-slim's nets --------------------------------------------------------------------


@pytest.fixture(scope="module")
def tf_slim_nets():
    """The Python files of tf-slim's nets: found, never imported (importing tf_slim needs TensorFlow)."""
    spec = importlib.util.find_spec("tf_slim")
    # tf-slim is a test dependency: its absence is a broken set-up, not a reason to test less.
    assert spec is not None and spec.submodule_search_locations, "tf-slim is not installed (pip install -e '.[test]')"
    nets = os.path.join(list(spec.submodule_search_locations)[0], "nets")
    return sorted(os.path.join(nets, name) for name in os.listdir(nets) if name.endswith(".py"))


def _lint_all(paths, config):
    findings = []
    for path in paths:
        findings.extend(lint_file(path, config))
    return findings


def _lint_all_without_prefilter(paths, config):
    """Every enabled rule on every file's tree: the pre-filter cannot make this pass."""
    findings = []
    for path in paths:
        text = open(path, encoding="utf-8").read()
        tree = parse_source(text, path)
        try:
            findings.extend(check_tree(tree, path, config))
        finally:
            release(tree)
    return findings


def test_tf_slim_nets_are_library_code_not_module_code(tf_slim_nets, make_config):
    # The same trees do hold what the rules judge: with scope "all" they fire on them ...
    assert _lint_all_without_prefilter(tf_slim_nets, make_config(scope="all"))
    # ... but none of it is module code (no create_module_spec reaches it), so the default scope is silent.
    findings = _lint_all_without_prefilter(tf_slim_nets, make_config())
    assert findings == [], [f.location.display() + " " + f.message for f in findings[:5]]


def test_tf_slim_nets_with_scope_all_report_only_real_problems(tf_slim_nets, make_config):
    findings = _lint_all(tf_slim_nets, make_config(scope="all"))
    by_rule = Counter(f.rule_id for f in findings)
    assert "HUB001" not in by_rule
    # The nets call slim layers that take their regularizer from the caller's arg_scope.
    assert by_rule["HUB102"] == 0
    decays = {(os.path.basename(f.location.path), f.message) for f in findings if f.rule_id == "HUB105"}
    assert (
        "inception_v3.py",
        "the normalizer_params of this arg_scope set decay=0.9997 (the default of parameter batch_norm_decay), "
        "above the maximum 0.99",
    ) in decays
    assert all("0.99" in message for _, message in decays)
