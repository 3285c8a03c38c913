"""The source facts: what one file does with TensorFlow, resolved once.

Names are followed through the many ways publishers import TensorFlow, tf-slim,
Keras and TF Hub; module functions are found from ``hub.create_module_spec``;
arg_scope defaults reach the ops they apply to.
"""

from __future__ import annotations

import textwrap

import astroid
import pytest

from hublint.source.facts import collect
from hublint.source.names import canonical
from hublint.source.parse import parse_source
from hublint.source.values import UNKNOWN


def facts_of(code: str, path: str = "publisher.py"):
    tree = parse_source(textwrap.dedent(code), path)
    assert not hasattr(tree, "reason"), tree
    return collect(tree, path)


def call_names(code: str) -> list[str]:
    return [call.name for call in facts_of(code).calls]


def only_call(code: str, name: str):
    found = [call for call in facts_of(code).calls if call.name == name]
    assert len(found) == 1, [call.name for call in facts_of(code).calls]
    return found[0]


# -- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, expected",
    [
        ("import tensorflow as tf\ntf.layers.dense(x, 1)", "tf.layers.dense"),
        ("import tensorflow.compat.v1 as tf\ntf.layers.dense(x, 1)", "tf.layers.dense"),
        ("import tensorflow as tf\ntf.compat.v1.layers.dense(x, 1)", "tf.layers.dense"),
        ("from tensorflow.compat.v1 import layers\nlayers.dense(x, 1)", "tf.layers.dense"),
        ("import tensorflow as tf\nlayers = tf.layers\nlayers.dense(x, 1)", "tf.layers.dense"),
        ("from tensorflow.keras import layers\nlayers.Dense(1)", "keras.layers.Dense"),
        ("from tensorflow import keras\nkeras.layers.Dense(1)", "keras.layers.Dense"),
        ("import keras\nkeras.layers.Dense(1)", "keras.layers.Dense"),
        ("import tf_keras\ntf_keras.layers.Dense(1)", "keras.layers.Dense"),
        ("import tf_slim as slim\nslim.conv2d(x, 8, 3)", "slim.conv2d"),
        ("import tensorflow as tf\nslim = tf.contrib.slim\nslim.conv2d(x, 8, 3)", "slim.conv2d"),
        ("import tensorflow as tf\ntf.contrib.layers.fully_connected(x, 8)", "slim.fully_connected"),
        ("from tf_slim.layers import layers as layers_lib\nlayers_lib.convolution2d(x, 8, 3)", "slim.conv2d"),
        ("from tf_slim import layers\nlayers.conv2d(x, 8, 3)", "slim.conv2d"),
        ("import tensorflow_hub as hub\nhub.add_signature(inputs=x)", "hub.add_signature"),
        ("import tensorflow as tf\ntf.optimizers.Ftrl(0.1)", "keras.optimizers.Ftrl"),
        (
            "try:\n  import tf_slim as slim\nexcept ImportError:\n"
            "  import tensorflow as tf\n  slim = tf.contrib.slim\nslim.dropout(x)",
            "slim.dropout",
        ),
        ("def f(x):\n  import tensorflow.compat.v1 as tf\n  return tf.nn.dropout(x, rate=0.1)", "tf.nn.dropout"),
    ],
)
def test_callee_resolves_through_imports_and_aliases(code, expected):
    assert expected in call_names(code)


@pytest.mark.parametrize(
    "code",
    [
        # A parameter named like the module is not the module.
        "def build(tf, x):\n  return tf.layers.dense(x, 1)",
        # A local object's method is not an API.
        "model = make_model()\nmodel.dense(x, 1)",
        # One name, two different APIs: unresolved rather than guessed.
        "import numpy\nimport tensorflow\ntf = numpy if fast else tensorflow\ntf.layers.dense(x, 1)",
        # Relative imports name the publisher's own package.
        "from . import layers\nlayers.dense(x, 1)",
    ],
)
def test_unresolvable_names_stay_unresolved(code):
    assert not any(name.endswith("dense") for name in call_names(code))


def test_canonical_names_drop_version_segments_and_merge_namespaces():
    assert canonical("tensorflow.compat.v1.train.FtrlOptimizer") == "tf.train.FtrlOptimizer"
    assert canonical("tensorflow.contrib.framework.arg_scope") == "slim.arg_scope"
    assert canonical("tf_slim.ops.arg_scope.arg_scope") == "slim.arg_scope"
    assert canonical("tensorflow.keras.layers.Convolution2D") == "keras.layers.Conv2D"
    assert canonical("keras.src.layers.Dense") == "keras.layers.Dense"
    assert canonical("tensorflow.python.ops.nn_ops.dropout") == "tf.nn.dropout"


def test_api_version_remembers_compat_v1_for_positional_meaning():
    v1 = only_call("import tensorflow.compat.v1 as tf\ntf.nn.dropout(x, 0.5)", "tf.nn.dropout")
    plain = only_call("import tensorflow as tf\ntf.nn.dropout(x, 0.5)", "tf.nn.dropout")
    assert (v1.api, plain.api) == ("v1", "")
    # The last compat segment is the API that runs.
    v2 = only_call("import tensorflow.compat.v1 as tf\ntf.compat.v2.nn.dropout(x, 0.5)", "tf.nn.dropout")
    assert v2.api == "v2"


@pytest.mark.parametrize(
    "imports, api",
    [
        ("try:\n  import tensorflow as tf\nexcept ImportError:\n  import tensorflow.compat.v1 as tf\n", ""),
        ("try:\n  import tensorflow.compat.v1 as tf\nexcept ImportError:\n  import tensorflow as tf\n", "v1"),
    ],
)
def test_a_try_import_binds_the_import_of_its_body(imports, api):
    assert only_call(imports + "tf.nn.dropout(x, 0.5)", "tf.nn.dropout").api == api


@pytest.mark.parametrize(
    "code, expected",
    [
        ("from tf_slim import *\nconv2d(x, 8, 3)", "slim.conv2d"),
        ("from tensorflow.compat.v1.layers import *\nfrom tf_slim import *\ndense(x, 8)", "tf.layers.dense"),
        ("import functools\nimport tensorflow as tf\nfc = functools.partial(tf.layers.dense, units=3)\nfc(x)",
         "tf.layers.dense"),
    ],
)
def test_star_imports_and_partials_of_ops_resolve(code, expected):
    assert expected in call_names(code)


def test_a_partial_of_an_op_passes_its_bound_arguments():
    code = """
    import functools
    import tensorflow.compat.v1 as tf
    dense = functools.partial(tf.layers.dense, units=3, kernel_regularizer=None)
    y = dense(x, units=4)
    """
    call = only_call(code, "tf.layers.dense")
    assert call.args[0].text == "x"
    assert call.keywords["units"].value == 4 and call.keywords["kernel_regularizer"].value is None


def test_layer_objects_and_their_application():
    code = """
    import tensorflow as tf
    drop = tf.keras.layers.Dropout(0.5)
    y = drop(x)
    z = tf.keras.layers.Dropout(0.2)(x, training=True)
    w = tf.compat.v1.layers.Dropout(0.1).apply(x)
    """
    names = call_names(code)
    assert names.count("keras.layers.Dropout.__call__") == 2
    assert "tf.layers.Dropout.__call__" in names


# -- call sites ----------------------------------------------------------------------------


def test_call_site_arguments_values_and_location():
    code = """
    import tensorflow.compat.v1 as tf
    KEEP = 1 - 0.3

    def build(x, rate=0.25, **kwargs):
        return tf.layers.dropout(x, KEEP, training=rate > 0, **kwargs)
    """
    call = only_call(code, "tf.layers.dropout")
    assert call.args[1].value == pytest.approx(0.7)
    assert call.keywords["training"].value is UNKNOWN
    assert call.star_kwargs and not call.star_args
    assert call.function_name == "build"
    assert (call.location.line, call.location.column) == (6, 12)
    assert call.location.end_line == 6 and call.location.end_column > call.location.column
    assert call.text == "tf.layers.dropout"


def test_parameter_values_count_only_on_request():
    code = """
    import tf_slim as slim

    def net(x, batch_norm_decay=0.9997):
        return slim.batch_norm(x, decay=batch_norm_decay)
    """
    decay = only_call(code, "slim.batch_norm").keywords["decay"]
    assert decay.value is UNKNOWN
    assert decay.default_value == 0.9997
    assert decay.parameter == "batch_norm_decay"


def test_conditional_calls_are_marked():
    code = """
    import tensorflow.compat.v1 as tf

    def module_fn(is_training=False):
        x = tf.placeholder(tf.float32, [None, 4])
        if is_training:
            x = tf.nn.dropout(x, rate=0.1)
        y = tf.cond(is_training, lambda: tf.nn.dropout(x, rate=0.2), lambda: x)
        return tf.nn.dropout(y, rate=0.3)
    """
    drops = [call for call in facts_of(code).calls if call.name == "tf.nn.dropout"]
    assert [call.conditional for call in drops] == [True, True, False]


def test_calls_on_one_branch_of_their_callers_are_conditional():
    code = """
    import tensorflow.compat.v1 as tf

    def gated(x):
        return tf.nn.dropout(x, rate=0.1)

    def passed_to_cond():
        return tf.nn.dropout(tf.ones([2]), rate=0.2)

    def everywhere(x):
        return tf.nn.dropout(x, rate=0.3)

    def module_fn(is_training=False):
        x = tf.placeholder(tf.float32, [None, 4])
        if is_training:
            x = gated(x)
        y = tf.cond(is_training, passed_to_cond, lambda: x)
        x = everywhere(x)
        if not is_training:
            return x
        return tf.nn.dropout(x, rate=0.4)
    """
    drops = {call.function_name + str(call.location.line): call.conditional
             for call in facts_of(code).calls if call.name == "tf.nn.dropout"}
    assert drops == {"gated5": True, "passed_to_cond8": True, "everywhere11": False, "module_fn21": True}


# -- module functions ------------------------------------------------------------------------


MODULE = """
import functools
import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

def tower(x):
    return tf.layers.dense(x, 4)

def unused(x):
    return tf.layers.dense(x, 4)

def module_fn(is_training=False, width=4):
    x = tf.placeholder(tf.float32, [None, width])
    hub.add_signature(inputs=x, outputs=tower(x))

spec = hub.create_module_spec({module_fn}, tags_and_args={tags}, drop_collections=["moving_vars"])
"""


@pytest.mark.parametrize(
    "module_fn",
    ["module_fn", "functools.partial(module_fn, width=8)", "lambda: module_fn(width=8)", "fn"],
)
def test_module_functions_are_found_and_reach_their_helpers(module_fn):
    code = MODULE.format(module_fn=module_fn, tags="None")
    if module_fn == "fn":
        code = code.replace("spec = ", "fn = module_fn\nspec = ")
    facts = facts_of(code)
    (spec,) = facts.module_specs
    assert [function.name for function in spec.module_functions] == ["module_fn"]
    dense_in_module = {call.function_name: call.in_module_code for call in facts.calls if call.name == "tf.layers.dense"}
    assert dense_in_module == {"tower": True, "unused": False}
    assert spec.drop_collections == ("moving_vars",)


def test_tags_and_args_become_tag_sets():
    literal = facts_of(MODULE.format(
        module_fn="module_fn",
        tags='[(set(), {"is_training": False}), ({"train"}, {"is_training": True})]',
    )).module_specs[0]
    assert literal.tag_sets == (frozenset(), frozenset({"train"}))
    assert literal.parameters_set == {"is_training"}

    missing = facts_of(MODULE.format(module_fn="module_fn", tags="None").replace(", tags_and_args=None", ""))
    assert missing.module_specs[0].tag_sets == (frozenset(),)

    computed = facts_of(MODULE.format(
        module_fn="module_fn", tags='[(tags, {"is_training": "train" in tags}) for tags in TAG_SETS]'
    ))
    assert computed.module_specs[0].tag_sets is None


def test_unfollowable_module_fn_leaves_no_module_code():
    facts = facts_of(MODULE.format(module_fn="self.module_fn", tags="None"))
    assert facts.module_specs[0].module_functions == ()
    assert facts.module_specs[0].not_followed == "module function self.module_fn is computed (an attribute)"
    assert not any(call.in_module_code for call in facts.calls)


@pytest.mark.parametrize(
    "definitions, module_fn",
    [
        # a method, and a helper method it calls
        ("class Exporter:\n  def fn(self):\n    return self.net()\n  def net(self):\n    return tower(1)\n"
         "  def spec(self):\n    return hub.create_module_spec(self.fn)\n", None),
        # a method of a base class in this file
        ("class Base:\n  def fn(self):\n    return tower(1)\n"
         "class Exporter(Base):\n  def spec(self):\n    return hub.create_module_spec(self.fn)\n", None),
        # a factory returning an inner def
        ("def make():\n  def fn():\n    return tower(1)\n  return fn\n", "make()"),
        # a factory method returning a lambda
        ("class Exporter:\n  def make(self):\n    return lambda: tower(1)\n"
         "  def spec(self):\n    return hub.create_module_spec(self.make())\n", None),
        # a parameter of an export helper, set by its callers
        ("def fn():\n  return tower(1)\ndef export(module_fn):\n  return hub.create_module_spec(module_fn)\n"
         "export(fn)\n", None),
    ],
)
def test_module_functions_are_followed_through_methods_factories_and_callers(definitions, module_fn):
    code = (
        "import tensorflow.compat.v1 as tf\nimport tensorflow_hub as hub\n"
        "def tower(x):\n  return tf.layers.dense(x, 4)\n" + definitions
    )
    if module_fn is not None:
        code += f"spec = hub.create_module_spec({module_fn})\n"
    facts = facts_of(code)
    (spec,) = facts.module_specs
    assert spec.module_functions and spec.not_followed == ""
    (dense,) = facts.named("tf.layers.dense")
    assert dense.in_module_code


# -- arg_scope -----------------------------------------------------------------------------


def test_nested_arg_scopes_give_defaults_to_the_ops_they_list():
    code = """
    import tf_slim as slim

    def net(x):
        with slim.arg_scope([slim.conv2d, slim.fully_connected], weights_regularizer=REG):
            with slim.arg_scope([slim.conv2d], padding="SAME", weights_regularizer=None):
                x = slim.conv2d(x, 8, [3, 3])
            return slim.fully_connected(x, 2)
    """
    facts = facts_of(code)
    conv = next(call for call in facts.calls if call.name == "slim.conv2d")
    dense = next(call for call in facts.calls if call.name == "slim.fully_connected")
    assert conv.scope_defaults["weights_regularizer"].value is None  # the inner scope wins
    assert conv.scope_defaults["padding"].value == "SAME"
    assert "padding" not in dense.scope_defaults
    assert dense.scope_defaults["weights_regularizer"].text == "REG"


def test_scope_functions_are_followed_with_the_callers_arguments():
    code = """
    import tensorflow as tf
    import tf_slim as slim

    def inception_arg_scope(weight_decay=4e-5, batch_norm_decay=0.9997):
        batch_norm_params = {"decay": batch_norm_decay, "epsilon": 0.001}
        with tf.contrib.framework.arg_scope(
            [slim.conv2d], weights_regularizer=slim.l2_regularizer(weight_decay),
            normalizer_fn=slim.batch_norm, normalizer_params=batch_norm_params) as sc:
            return sc

    def blocks(x):
        return slim.conv2d(x, 8, [3, 3])

    def default_net(x):
        with slim.arg_scope(inception_arg_scope()):
            return slim.conv2d(x, 8, [3, 3])

    def tuned_net(x):
        scope = inception_arg_scope(batch_norm_decay=0.9)
        with slim.arg_scope(scope):
            return blocks(x)
    """
    facts = facts_of(code)
    convs = {call.function_name: call for call in facts.calls if call.name == "slim.conv2d"}
    default = convs["default_net"].scope_defaults["normalizer_params"]
    assert default.default_value == {"decay": 0.9997, "epsilon": 0.001}
    # blocks() runs inside tuned_net's arg_scope, with batch_norm_decay=0.9 passed in.
    inherited = convs["blocks"].scope_defaults["normalizer_params"]
    assert inherited.default_value["decay"] == 0.9
    assert "weights_regularizer" in convs["blocks"].scope_defaults
    (declared,) = facts.arg_scopes
    assert declared.ops == {"slim.conv2d"}


def test_closed_functions_are_those_no_outside_arg_scope_can_wrap():
    code = """
    import tf_slim as slim
    import tensorflow_hub as hub

    def library_net(x):
        return slim.conv2d(x, 8, [3, 3])

    def helper(x):
        return slim.conv2d(x, 8, [3, 3])

    def module_fn():
        helper(x)

    hub.create_module_spec(module_fn)
    """
    closed = {call.function_name: call.closed for call in facts_of(code).calls if call.name == "slim.conv2d"}
    assert closed == {"library_net": False, "helper": True}


# -- both front ends -------------------------------------------------------------------------


def test_trees_built_with_astroid_transforms_give_the_same_facts():
    """pylint hands over trees built with astroid's transforms (its "brain"); the facts must not change."""
    code = textwrap.dedent(MODULE.format(module_fn="module_fn", tags='[({"train"}, {})]'))
    ours = collect(parse_source(code, "publisher.py"), "publisher.py")
    pylints = collect(astroid.parse(code, module_name="publisher_pylint", path="publisher.py"), "publisher.py")

    def summary(facts):
        return [(c.name, c.location.line, c.location.column, c.in_module_code) for c in facts.calls], [
            (s.tag_sets, [f.name for f in s.module_functions]) for s in facts.module_specs
        ]

    assert summary(ours) == summary(pylints)
    assert summary(ours)[0]  # not vacuous
