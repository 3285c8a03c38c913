"""The source pass follows real publisher code (issue 9): one story per class of the issue.

Each reproduction is a pattern seen in public publisher files: a module function that is a
method or a factory's result, imports that depend on which one runs, signatures added by a
helper, a ``train`` tag set that changes nothing, regularizers and training gates set one
step away from the op, values built step by step.  Each asserts the exact finding or its
absence; before issue 9 each of them came out wrong.
"""

from __future__ import annotations

import textwrap

import pytest

from hublint.source import lint_text

HEADER = """\
import functools
import tensorflow.compat.v1 as tf
import tensorflow_hub as hub
import tf_slim as slim
"""


@pytest.fixture
def lint(make_config):
    """``lint(code, *rules, header=HEADER)``: (rule id, line, message) of each finding on ``code``."""

    def run(code: str, *rules: str, header: str = HEADER, **fields):
        config = make_config(select=(*rules, "HUB001"), **fields)
        findings = lint_text(header + textwrap.dedent(code), "publisher.py", config)
        return [(f.rule_id, f.location.line, f.message) for f in findings]

    return run


# -- class 1: the module function is a method, a factory's result, a closure -------------------


def test_module_function_that_is_a_method_is_followed(lint):
    code = """
    class Exporter:
        def _fn(self, bs=32):
            x = tf.placeholder(tf.float32, [bs, 10])
            hub.add_signature(inputs=x, outputs=self._head(x))

        def _head(self, x):
            return tf.layers.dense(x, 4)

        def export(self, path):
            spec = hub.create_module_spec(self._fn, [(set(), {"bs": 64})])
    """
    assert lint(code, "HUB102", "HUB108", "HUB109") == [
        ("HUB109", 8, "placeholder shape [bs, 10] fixes the batch dimension to 64 (bs=64 in tags_and_args)"),
        ("HUB102", 12, "tf.layers.dense creates a kernel without a regularizer (no kernel_regularizer)"),
    ]


@pytest.mark.parametrize(
    "factory",
    [
        # an inner def, closing over the factory's parameter
        """
        def make_module_fn(num_classes):
            def module_fn():
                x = tf.placeholder(tf.float32, [None, 10])
                hub.add_signature(inputs=x, outputs=tf.layers.dense(x, num_classes))
            return module_fn
        """,
        # a lambda around a function of the file
        """
        def build(num_classes):
            x = tf.placeholder(tf.float32, [None, 10])
            hub.add_signature(inputs=x, outputs=tf.layers.dense(x, num_classes))

        def make_module_fn(num_classes):
            return lambda: build(num_classes)
        """,
        # functools.partial of a function of the file
        """
        def build(num_classes):
            x = tf.placeholder(tf.float32, [None, 10])
            hub.add_signature(inputs=x, outputs=tf.layers.dense(x, num_classes))

        def make_module_fn(num_classes):
            return functools.partial(build, num_classes=num_classes)
        """,
    ],
)
def test_module_function_from_a_factory_is_followed(lint, factory):
    code = textwrap.dedent(factory) + "\nspec = hub.create_module_spec(make_module_fn(10))\n"
    findings = lint(code, "HUB102")
    assert [(rule, message) for rule, _, message in findings] == [
        ("HUB102", "tf.layers.dense creates a kernel without a regularizer (no kernel_regularizer)")
    ]


def test_module_function_passed_to_an_export_helper_is_followed(lint):
    code = """
    def module_fn():
        x = tf.placeholder(tf.float32, [None, 10])
        hub.add_signature(inputs=x, outputs=tf.layers.dense(x, 3))

    def export(fn, path):
        hub.create_module_spec(fn).export(path)

    export(module_fn, "/tmp/m")
    """
    assert [(rule, line) for rule, line, _ in lint(code, "HUB102")] == [("HUB102", 8)]


# -- class 5: names come from the import that runs ----------------------------------------------


def test_try_import_binds_the_first_import_that_succeeds(lint):
    header = (
        "try:\n"
        "    import tensorflow as tf\n"
        "except ImportError:\n"
        "    import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
    )
    code = """
    def module_fn(is_training=False):
        x = tf.placeholder(tf.float32, [None, 10])
        if is_training:
            x = tf.nn.dropout(x, 0.2)
        hub.add_signature(inputs=x, outputs=x)

    spec = hub.create_module_spec(module_fn, [(set(), {}), ({"train"}, {"is_training": True})])
    """
    # ``import tensorflow as tf`` runs: tf.nn.dropout's second argument is not keep_prob=0.2.
    assert lint(code, "HUB103", header=header) == []


def test_compat_v2_under_a_compat_v1_import_is_the_v2_api(lint):
    code = """
    def module_fn(is_training=False):
        x = tf.placeholder(tf.float32, [None, 10])
        if is_training:
            x = tf.compat.v2.nn.dropout(x, 0.2)
            x = tf.compat.v2.nn.dropout(x, 0.7)
        hub.add_signature(inputs=x, outputs=x)

    spec = hub.create_module_spec(module_fn, [(set(), {}), ({"train"}, {"is_training": True})])
    """
    assert lint(code, "HUB103") == [("HUB103", 10, "dropout rate 0.7 is above the maximum 0.5")]


# -- class 7: a signature added in a function the module function calls --------------------------


def test_signature_added_in_a_method_the_module_function_calls(lint):
    code = """
    class SignatureWriter:
        def add(self, inputs, outputs):
            hub.add_signature(inputs=inputs, outputs=outputs)

    def module_fn():
        x = tf.placeholder(tf.float32, [None, 10])
        writer = SignatureWriter()
        writer.add(x, x * 2)

    spec = hub.create_module_spec(module_fn)
    """
    assert lint(code, "HUB108") == []
    assert lint(code.replace("writer.add(x, x * 2)", "SignatureWriter().add(x, x * 2)"), "HUB108") == []


def test_signature_added_by_a_helper_method_of_a_method_module_function(lint):
    code = """
    class Publisher:
        def module_fn(self):
            x = tf.placeholder(tf.float32, [None, 10])
            self.add_signatures(x, x * 2)

        def add_signatures(self, inputs, outputs):
            hub.add_signature(inputs=inputs, outputs=outputs)

        def spec(self):
            return hub.create_module_spec(self.module_fn)
    """
    assert lint(code, "HUB108") == []
    no_signature = code.replace("hub.add_signature(inputs=inputs, outputs=outputs)", "pass")
    assert [(rule, line) for rule, line, _ in lint(no_signature, "HUB108")] == [("HUB108", 7)]


# -- class 8: a train tag set with the default one's arguments -----------------------------------


def test_train_tag_set_with_the_default_arguments_is_reported(lint):
    code = """
    def module_fn(mode="infer"):
        x = tf.placeholder(tf.float32, [None, 10])
        y = tf.layers.dropout(x, 0.1, training=(mode == "train"))
        hub.add_signature(inputs=x, outputs=y)

    m = "infer"
    spec = hub.create_module_spec(module_fn, [(set(), {"mode": m}), ({"train"}, {"mode": m})])
    """
    assert lint(code, "HUB107") == [
        (
            "HUB107",
            12,
            "module function module_fn gets the same arguments in its 'train' tag set as in the "
            "default one ({'mode': m}): the train graph is the inference graph",
        )
    ]
    fixed = code.replace('({"train"}, {"mode": m})', '({"train"}, {"mode": "train"})')
    assert lint(fixed, "HUB107") == []


# -- class 3: regularizers set one step away ------------------------------------------------------


def test_regularizers_set_indirectly_are_seen(lint):
    code = """
    WEIGHT_OPS = [slim.conv2d, slim.fully_connected]

    def net_arg_scope(weight_decay=4e-5):
        with slim.arg_scope([slim.conv2d], weights_regularizer=slim.l2_regularizer(weight_decay)) as sc:
            pass
        return sc

    def module_fn():
        x = tf.placeholder(tf.float32, [None, 8, 8, 3])
        with slim.arg_scope(WEIGHT_OPS, weights_regularizer=slim.l2_regularizer(1e-4)):
            a = slim.conv2d(x, 8, [3, 3])
        with slim.arg_scope(net_arg_scope()):
            b = slim.conv2d(x, 8, [3, 3])
        with tf.variable_scope("head", regularizer=slim.l2_regularizer(1e-4)):
            c = tf.layers.dense(tf.reduce_mean(x, [1, 2]), 4)
        d = tf.layers.dense(c, 4)
        hub.add_signature(inputs=x, outputs=d)

    spec = hub.create_module_spec(module_fn)
    """
    assert [(rule, line) for rule, line, _ in lint(code, "HUB102")] == [("HUB102", 21)]


# -- class 4: training gates one step away from the dropout ---------------------------------------


def test_dropout_gated_by_training_across_calls_is_not_always_on(lint):
    code = """
    def noisy(x):
        return tf.nn.dropout(x, rate=0.1)

    def dropped():
        return tf.nn.dropout(tf.ones([2]), rate=0.1)

    def module_fn(is_training=False):
        x = tf.placeholder(tf.float32, [None, 10])
        if is_training:
            x = noisy(x)
        y = tf.keras.backend.in_train_phase(lambda: tf.nn.dropout(x, rate=0.1), x, training=is_training)
        z = tf.cond(is_training, dropped, lambda: tf.ones([2]))
        hub.add_signature(inputs=x, outputs=y)
        if not is_training:
            return
        tf.add_to_collection("extra", tf.nn.dropout(x, rate=0.1))

    spec = hub.create_module_spec(module_fn, [(set(), {}), ({"train"}, {"is_training": True})])
    """
    assert lint(code, "HUB104") == []
    ungated = code.replace("        if is_training:\n            x = noisy(x)", "        x = noisy(x)")
    assert [(rule, line) for rule, line, _ in lint(ungated, "HUB104")] == [("HUB104", 7)]


# -- class 6: values that are not literals --------------------------------------------------------


def test_tags_and_args_built_step_by_step_are_not_read_as_empty(lint):
    code = """
    def module_fn(is_training=False):
        x = tf.placeholder(tf.float32, [None, 10])
        hub.add_signature(inputs=x, outputs=tf.layers.dropout(x, 0.1, training=is_training))

    tags_and_args = []
    for training in (False, True):
        tags_and_args.append(({"train"} if training else set(), {"is_training": training}))
    spec = hub.create_module_spec(module_fn, tags_and_args)
    """
    assert lint(code, "HUB107") == []


def test_outputs_dict_filled_key_by_key_is_read(lint):
    code = """
    def module_fn():
        x = tf.placeholder(tf.float32, [None, 10])
        outputs = {}
        outputs["embedding"] = x
        outputs["logits"] = x * 2
        hub.add_signature(inputs=x, outputs=outputs)

    spec = hub.create_module_spec(module_fn)
    """
    assert lint(code, "HUB108") == [
        ("HUB108", 11, "module function module_fn adds a default signature whose outputs dict has no "
                       "'default' key (keys: 'embedding', 'logits')")
    ]
    with_default = code.replace('outputs["logits"]', 'outputs["default"]')
    assert lint(with_default, "HUB108") == []
    updated = code.replace('outputs["logits"] = x * 2', "outputs.update(more)")
    assert lint(updated, "HUB108") == []


def test_weight_layers_through_partial_and_star_imports_are_judged(lint):
    code = """
    dense = functools.partial(tf.layers.dense, activation=tf.nn.relu)
    regularized = functools.partial(tf.layers.dense, kernel_regularizer=slim.l2_regularizer(1e-4))

    def module_fn():
        x = tf.placeholder(tf.float32, [None, 10])
        y = dense(x, 4)
        z = regularized(x, 4)
        hub.add_signature(inputs=x, outputs=y + z)

    spec = hub.create_module_spec(module_fn)
    """
    assert [(rule, line) for rule, line, _ in lint(code, "HUB102")] == [("HUB102", 11)]
    star = """
    from tf_slim import *
    from tensorflow.compat.v1.layers import *

    def module_fn():
        x = tf.placeholder(tf.float32, [None, 10])
        y = fully_connected(x, 4)
        z = dense(x, 4)
        hub.add_signature(inputs=x, outputs=y + z)

    spec = hub.create_module_spec(module_fn)
    """
    assert [(rule, line) for rule, line, _ in lint(star, "HUB102")] == [("HUB102", 11), ("HUB102", 12)]


def test_a_branch_that_partial_arguments_make_dead_is_not_module_code(lint):
    code = """
    def build(export=False):
        x = tf.placeholder(tf.float32, [None, 10])
        if not export:
            x = slim.batch_norm(x, decay=0.9999, is_training=True)
        hub.add_signature(inputs=x, outputs=x)

    spec = hub.create_module_spec(functools.partial(build, export=True))
    """
    assert lint(code, "HUB105") == []
    live = code.replace("export=True))", "export=False))")
    assert [(rule, line) for rule, line, _ in lint(live, "HUB105")] == [("HUB105", 9)]


def test_batch_size_from_a_parameter_default(lint):
    code = """
    def module_fn(batch_size=16):
        x = tf.placeholder(tf.float32, [batch_size, 10])
        hub.add_signature(inputs=x, outputs=x)

    spec = hub.create_module_spec(module_fn)
    """
    assert lint(code, "HUB109") == [
        ("HUB109", 7, "placeholder shape [batch_size, 10] fixes the batch dimension to 16 (the default of parameter batch_size)")
    ]
    set_by_tags = code.replace("create_module_spec(module_fn)", 'create_module_spec(module_fn, [(set(), {"batch_size": None})])')
    assert lint(set_by_tags, "HUB109") == []


# -- HUB004: what the pass could not follow is said -----------------------------------------------


def test_not_followed_names_the_expression_and_why(lint):
    code = """
    from my_project.nets import tower
    from my_project.modules import imported_module_fn

    def module_fn():
        x = tf.placeholder(tf.float32, [None, 10])
        hub.add_signature(inputs=x, outputs=tower(x))

    a = hub.create_module_spec(module_fn)
    b = hub.create_module_spec(imported_module_fn)
    c = hub.create_module_spec(registry[name])

    class GAN(BaseGAN):
        def as_module_spec(self):
            return hub.create_module_spec(self._module_fn)
    """
    assert lint(code, "HUB004") == [
        ("HUB004", 11, "not followed: tower(x) in module function module_fn calls tower, imported from "
                       "my_project.nets, another file hublint does not read"),
        ("HUB004", 14, "not followed: module function imported_module_fn is imported from "
                       "my_project.modules, another file hublint does not read"),
        ("HUB004", 15, "not followed: module function registry[name] is computed (a subscript)"),
        ("HUB004", 19, "not followed: module function self._module_fn is no method of class GAN in this file "
                       "(a base class in another file, or an attribute set at run time)"),
    ]


# -- class 2 (the part that needs no other file): arg scopes of tf-slim's nets ---------------------


def test_arg_scope_of_a_nets_library_regularizes_and_an_unknown_one_is_said(lint):
    code = """
    from tf_slim.nets import inception_v3
    from my_project import scopes

    def module_fn():
        x = tf.placeholder(tf.float32, [None, 32, 32, 3])
        with slim.arg_scope(inception_v3.inception_v3_arg_scope()):
            a = slim.conv2d(x, 8, [3, 3])
        with slim.arg_scope(scopes.my_arg_scope()):
            b = slim.conv2d(x, 8, [3, 3])
        with slim.arg_scope(inception_v3.inception_v3_arg_scope(weight_decay=0.0)):
            c = slim.conv2d(x, 8, [3, 3])
        hub.add_signature(inputs=x, outputs=a + b + c)

    spec = hub.create_module_spec(module_fn)
    """
    assert lint(code, "HUB102", "HUB004") == [
        ("HUB004", 13, "not followed: slim.arg_scope(scopes.my_arg_scope()) in module function module_fn "
                       "sets arguments hublint cannot read: the tf-slim ops under it are not judged"),
        ("HUB102", 16, "slim.conv2d creates a kernel without a regularizer (no weights_regularizer)"),
    ]


# -- found on real publisher code (tests/real_code): networks the caller chooses ----------------


def test_a_network_that_is_a_parameter_or_its_method_is_said_not_followed(lint):
    # simclr's build_hub_module(model, ...) and disentanglement_lib's export(gaussian_encoder_model, ...)
    found = lint("""
        def export(model, encoder, path):
            def module_fn(is_training=False):
                x = tf.placeholder(tf.float32, [None, 32, 32, 3])
                hidden = model(x, is_training)
                mean = encoder.gaussian_encoder(hidden, is_training)
                hub.add_signature(inputs=x, outputs=tf.concat([mean, hidden.get_shape()], 1))

            spec = hub.create_module_spec(module_fn, [(set(), {}), ({"train"}, {"is_training": True})])
            spec.export(path)
    """, "HUB004")
    assert [(rule, line) for rule, line, _ in found] == [("HUB004", 9), ("HUB004", 10)]
    assert "model is a parameter of export: what its callers pass is not followed" in found[0][2]
    assert "calls encoder.gaussian_encoder, but encoder is a parameter of export" in found[1][2]


def test_accessors_of_an_object_the_caller_builds_and_callbacks_are_not_said_not_followed(lint):
    # ALBERT's get_mlm_logits(model) reads a model module_fn built (judged, or said not followed,
    # where it is built); compare_gan's EMA custom getter calls the getter TensorFlow hands it.
    found = lint("""
        from nets import modeling


        def ema_getter(getter, name, *args, **kwargs):
            return getter(name, *args, **kwargs)


        def pooled(model):
            return model.get_pooled_output()


        def module_fn():
            x = tf.placeholder(tf.int32, [None, 128])
            with tf.variable_scope("ema", custom_getter=ema_getter):
                model = modeling.BertModel(x)
            hub.add_signature(inputs=x, outputs=pooled(model))


        spec = hub.create_module_spec(module_fn)
    """, "HUB004")
    assert [(rule, line) for rule, line, _ in found] == [("HUB004", 20)], found  # only modeling.BertModel
    assert "modeling.BertModel" in found[0][2]


def test_a_hard_coded_dropout_whose_positional_meaning_depends_on_the_api_is_still_hub110(lint):
    # task_adaptation's test_utils: tf.nn.dropout(h, 0.5) under plain `import tensorflow as tf`
    found = lint("""
        def module_fn():
            x = tf.placeholder(tf.float32, [None, 5])
            hub.add_signature(inputs=x, outputs=tf.nn.dropout(x, 0.5))


        spec = hub.create_module_spec(module_fn)
    """, "HUB110", "HUB103", header="import tensorflow as tf\nimport tensorflow_hub as hub\n")
    assert [(rule, line) for rule, line, _ in found] == [("HUB110", 6)], found
    assert "dropout keep_prob / rate 0.5 is hard-coded" in found[0][2]
