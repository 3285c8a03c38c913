"""HUB113 reusable-savedmodel-api: TF2 publisher code, pattern by pattern.

1. ``tf.saved_model.save`` of a callable ``tf.Module`` / ``tf.train.Checkpoint`` with trainable
   weights that exposes neither ``trainable_variables`` nor ``regularization_losses``;
2. a saved ``__call__`` whose training flag is not named ``training``;
3. Keras ``model.export()`` / ``ExportArchive.write_out()`` in code that publishes for TF Hub.

Each story has the code that fires and the variation that must not, in the shapes real TF2
exporters take (TF Hub's own docs and tests, jax2tf's reusable wrapper, Keras wrappers, serving
exports, Sonnet-style modules that are never saved).  The committed publishers and the modules
they exported tie the source rule to HUB216; the last stories run the rule's own examples in real
TensorFlow and check what the messages claim.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from hublint import registry
from hublint.config import Config
from hublint.module import lint_module
from hublint.source import lint_file, lint_text
from tests.conftest import EXPORTED, REPO
from tests.module_fixtures import TOOLCHAIN_PYTHON

HEADER = "import tensorflow as tf\n"
RULE = registry.get_rule("HUB113")


@pytest.fixture
def lint(make_config):
    """``lint(code, header=HEADER, path=...)``: HUB113's findings on ``code`` as (line, message)."""

    def run(code: str, header: str = HEADER, path: str = "publisher.py"):
        config = make_config(select=("HUB113", "HUB001"))
        findings = lint_text(header + textwrap.dedent(code), path, config)
        assert all(f.rule_id == "HUB113" for f in findings), findings  # HUB001: the snippet must parse
        return [(f.location.line, f.message) for f in findings]

    return run


def lines(findings) -> list[int]:
    return [line for line, _ in findings]


# -- 1. a saved tf.Module without the fine-tuning attributes -----------------------------------

BARE_MODULE = """
class Classifier(tf.Module):
    def __init__(self):
        super().__init__()
        self.kernel = tf.Variable(tf.random.normal([50, 10]), name="kernel")

    @tf.function(input_signature=[tf.TensorSpec([None, 50], tf.float32)])
    def __call__(self, x):
        return tf.matmul(x, self.kernel)
"""


def test_a_saved_module_without_fine_tuning_attributes_is_reported(lint):
    code = BARE_MODULE + "\nmodule = Classifier()\ntf.saved_model.save(module, '/tmp/m')\n"
    assert lint(code) == [(
        13,
        "the Classifier object saved here has trainable weights and a __call__ but exposes neither "
        "trainable_variables nor regularization_losses: hub.KerasLayer(..., trainable=True) fine-tunes "
        "nothing and adds no regularization loss",
    )]


@pytest.mark.parametrize("attributes", [
    # TF Hub's tf2_saved_model guide (a tf.train.Checkpoint has no such properties to shadow)
    "self.variables = [self.kernel]\n"
    "self.trainable_variables = [self.kernel]\n"
    "self.regularization_losses = [tf.function(input_signature=[])(lambda: 1e-3 * self.kernel**2)]",
    # only one of the two: the object takes part in fine-tuning (HUB216 judges the rest on the module)
    "self.trainable_variables = [self.kernel]",
    "self.regularization_losses = []",
])
def test_a_module_that_exposes_the_attributes_is_not_reported(lint, attributes):
    code = BARE_MODULE.replace("tf.Module", "tf.train.Checkpoint").replace(
        'name="kernel")', 'name="kernel")\n' + textwrap.indent(attributes, " " * 8)
    )
    assert lint(code + "\ntf.saved_model.save(Classifier(), '/tmp/m')\n") == []


def test_a_property_is_not_a_saved_attribute(lint):
    # Real TF 2.15 / 2.21: tf.saved_model.save keeps tracked attributes and tf.functions, not properties.
    code = BARE_MODULE.replace(
        "    @tf.function(",
        "    @property\n    def trainable_variables(self):\n        return [self.kernel]\n\n    @tf.function(",
    )
    (_, message), = lint(code + "\ntf.saved_model.save(Classifier(), '/tmp/m')\n")
    assert "(its trainable_variables property is not saved)" in message


def test_the_saved_object_is_followed_through_self_helpers_and_factories(lint):
    code = BARE_MODULE + """
    def export(self, path):
        tf.saved_model.save(self, path)

def save_for_hub(obj, path):
    tf.saved_model.save(obj, path)

def build():
    return Classifier()

save_for_hub(Classifier(), "/tmp/a")
tf.saved_model.save(build(), "/tmp/b")
"""
    assert lines(lint(code)) == [13, 16, 22]


def test_a_checkpoint_built_in_place_is_judged_by_its_assigned_attributes(lint):
    # The tf.saved_model guide's shape: root = tf.train.Checkpoint(); root.v1 = ...; root.f = ...
    code = """
    def export(path):
        obj = tf.train.Checkpoint()
        obj.v = tf.Variable(3.0)
        obj.__call__ = tf.function(lambda x: x * obj.v, input_signature=[tf.TensorSpec(None, tf.float32)])
        tf.saved_model.save(obj, path)
    """
    (line, message), = lint(code)
    assert (line, message.split(" has ")[0]) == (7, "the object obj saved here")
    # TF Hub's own test publisher (keras_layer_test.py): the same object with the attributes set.
    complete = code.replace(
        "        tf.saved_model.save",
        "        obj.variables = [obj.v]\n        obj.trainable_variables = [obj.v]\n"
        "        obj.regularization_losses = [tf.function(lambda: 1e-3 * obj.v**2, input_signature=[])]\n"
        "        tf.saved_model.save",
    )
    assert lint(complete) == []


def test_a_wrapper_is_judged_by_the_model_it_is_given(lint):
    # A Keras model wrapped for a custom __call__ (image preprocessing); the weights come in through __init__.
    code = """
    class Module(tf.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        @tf.function(input_signature=[tf.TensorSpec([None, 224, 224, 3], tf.uint8)])
        def __call__(self, image):
            return self.model(tf.keras.applications.mobilenet_v2.preprocess_input(tf.cast(image, tf.float32)))

    model = tf.keras.applications.MobileNetV2(weights="imagenet")
    tf.saved_model.save(Module(model), "/tmp/m")
    """
    assert lines(lint(code)) == [13]
    # The network comes from another file of the project: hublint cannot see weights, and says nothing.
    imported = code.replace('model = tf.keras.applications.MobileNetV2(weights="imagenet")', "model = get_network()")
    assert lint(imported, header=HEADER + "from nets import get_network\n") == []


def test_jax2tf_style_reusable_wrapper_is_not_reported(lint):
    # jax2tf / tfjs's wrapper: tf.train.Checkpoint with the interface set from its parameters.
    code = """
    class _ReusableSavedModelWrapper(tf.train.Checkpoint):
        def __init__(self, tf_graph, param_vars):
            super().__init__()
            self.variables = tf.nest.flatten(param_vars)
            self.trainable_variables = [v for v in self.variables if v.trainable]
            self.regularization_losses = []
            self.__call__ = tf_graph

    params = [tf.Variable(tf.ones([3]))]
    tf.saved_model.save(_ReusableSavedModelWrapper(tf.function(lambda x: x * params[0]), params), "/tmp/m")
    """
    assert lint(code) == []


@pytest.mark.parametrize("code", [
    # A Keras model: Keras 2 exports the whole interface when given to tf.saved_model.save.
    """
    model = tf.keras.Sequential([tf.keras.layers.Dense(10)])
    tf.saved_model.save(model, "/tmp/m")
    """,
    """
    class Net(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = tf.keras.layers.Dense(10)

        def call(self, x, training=False):
            return self.dense(x)

    tf.saved_model.save(Net(), "/tmp/m")
    """,
    # Not callable: a serving model with signatures only (MLGO's mock policy model).
    """
    module = tf.Module()
    module.var = tf.Variable(0.)
    module.action = tf.function()(lambda x: x + module.var)
    tf.saved_model.save(module, "/tmp/m", signatures={"action": module.action.get_concrete_function(tf.TensorSpec([1]))})
    """,
    # No trainable weights: a lookup, nothing to fine-tune.
    """
    class Vocab(tf.Module):
        def __init__(self):
            super().__init__()
            self.table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(["a"], [1]), -1)
            self.scale = tf.Variable(2, trainable=False)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def __call__(self, keys):
            return self.table.lookup(keys) * self.scale

    tf.saved_model.save(Vocab(), "/tmp/m")
    """,
    # A base class from another file: what it sets is unknown.
    """
    from my_project.base import ReusableBase

    class Classifier(ReusableBase):
        def __init__(self):
            super().__init__()
            self.kernel = tf.Variable(tf.ones([2, 2]))

        @tf.function
        def __call__(self, x):
            return x @ self.kernel

    tf.saved_model.save(Classifier(), "/tmp/m")
    """,
    # Attributes set under computed names: may be the interface.
    """
    class Classifier(tf.Module):
        def __init__(self, model):
            super().__init__()
            for variable in model.variables:
                setattr(self, variable.name.replace(":", "_"), variable)
            self.kernel = tf.Variable(tf.ones([2, 2]))

        @tf.function
        def __call__(self, x):
            return x @ self.kernel

    tf.saved_model.save(Classifier(tf.keras.Sequential()), "/tmp/m")
    """,
    # An object hublint cannot follow (a test runner's parameter nobody in this file sets).
    """
    def from_tensorflow(module, case_dir):
        tf.saved_model.save(module, case_dir)
    """,
])
def test_objects_that_are_not_reusable_candidates_are_not_reported(lint, code):
    assert lint(code) == []


# -- 2. a saved __call__ whose training flag is not named training ------------------------------

REUSABLE_WITH_FLAG = """
class Classifier(tf.Module):
    variables = None
    trainable_variables = None

    def __init__(self):
        super().__init__()
        self.kernel = tf.Variable(tf.ones([50, 10]))
        self.variables = [self.kernel]
        self.trainable_variables = [self.kernel]
        self.regularization_losses = [tf.function(lambda: 1e-4 * tf.nn.l2_loss(self.kernel), input_signature=[])]

    @tf.function
    def __call__(self, x, is_training=False):
        return tf.nn.dropout(x, 0.2) @ self.kernel if is_training else x @ self.kernel

tf.saved_model.save(Classifier(), "/tmp/m")
"""


@pytest.mark.parametrize("flag", ["is_training", "trainable", "train"])
def test_a_training_flag_under_another_name_is_reported_at_the_parameter(lint, flag):
    code = REUSABLE_WITH_FLAG.replace("is_training", flag)
    assert lint(code) == [(
        15,
        f"__call__ of Classifier (saved at line 18) takes its training flag as {flag}: hub.KerasLayer passes "
        f"only training=, so a consumer who fine-tunes it runs with {flag} at its default",
    )]


def test_a_call_with_training_is_not_reported(lint):
    assert lint(REUSABLE_WITH_FLAG.replace("is_training", "training")) == []
    both = REUSABLE_WITH_FLAG.replace("is_training=False", "training=False, is_training=None")
    assert lint(both) == []


def test_a_lambda_given_as_call_is_judged_too(lint):
    code = """
    obj = tf.train.Checkpoint()
    obj.v = tf.Variable(1.0)
    obj.trainable_variables = [obj.v]
    obj.__call__ = tf.function(lambda x, is_training=False: x * obj.v)
    tf.saved_model.save(obj, "/tmp/m")
    """
    assert [message.split(":")[0] for _, message in lint(code)] == [
        "__call__ of obj (saved at line 7) takes its training flag as is_training"
    ]


@pytest.mark.parametrize("code", [
    # Sonnet / Haiku / plain model classes take is_training everywhere, and are never saved as is.
    """
    class Encoder(tf.Module):
        def __init__(self):
            super().__init__()
            self.kernel = tf.Variable(tf.ones([2, 2]))

        def __call__(self, inputs, is_training):
            return inputs @ self.kernel
    """,
    # Saved, but __call__ is no tf.function: it is not in the artifact at all.
    """
    class Encoder(tf.Module):
        def __init__(self):
            super().__init__()
            self.kernel = tf.Variable(tf.ones([2, 2]))

        def __call__(self, inputs, is_training=False):
            return inputs @ self.kernel

    tf.saved_model.save(Encoder(), "/tmp/m")
    """,
])
def test_a_call_that_is_not_saved_is_not_reported(lint, code):
    assert lint(code) == []


def test_a_sub_module_with_is_training_under_a_saved_training_call_is_not_reported(lint):
    code = REUSABLE_WITH_FLAG.replace("is_training", "training") + """
class Block(tf.Module):
    @tf.function
    def __call__(self, x, is_training=False):
        return x
"""
    assert lint(code) == []


# -- 3. Keras export in code that publishes for TF Hub ------------------------------------------

KERAS3 = "import keras\nimport tensorflow_hub as hub\n"
EXPORT = """
def build_model():
    inputs = keras.Input(shape=(50,))
    outputs = keras.layers.Dense(10, kernel_regularizer=keras.regularizers.L2(1e-4))(inputs)
    return keras.Model(inputs, outputs)

model = build_model()
model.export(EXPORT_DIR)
"""


def test_an_export_checked_with_keras_layer_is_reported(lint):
    code = EXPORT.replace("EXPORT_DIR", "export_dir") + "layer = hub.KerasLayer(export_dir, trainable=True)\n"
    code = "export_dir = '/tmp/classifier'\n" + code
    assert lint(code, header=KERAS3) == [(
        11,
        "model.export() writes an inference-only SavedModel (a serve endpoint, no __call__ with training, no "
        "regularization_losses), but this file loads that path with hub.KerasLayer (line 12): hub.KerasLayer "
        "cannot fine-tune it",
    )]


@pytest.mark.parametrize("path, where, reason", [
    ("'/tmp/tfhub/classifier'", "publisher.py", "the export path names TF Hub ('/tmp/tfhub/classifier')"),
    ("os.path.join(FLAGS.output_dir, 'hub_module')", "publisher.py", "the export path names TF Hub ('hub_module')"),
    ("FLAGS.export_path", "models/official/export_tfhub.py", "the file name says it exports for TF Hub (export_tfhub.py)"),
])
def test_an_export_that_names_tf_hub_is_reported(lint, path, where, reason):
    code = "import os\n" + EXPORT.replace("EXPORT_DIR", path)
    (_, message), = lint(code, header=KERAS3, path=where)
    assert reason in message


@pytest.mark.parametrize("path", ["'/tmp/serving/1'", "'gs://bucket/github_models/1'", "FLAGS.export_path"])
def test_an_export_for_serving_is_not_reported(lint, path):
    # Keras 3's model.export() is the way to serve: without a sign of TF Hub, it is taken for that.
    assert lint(EXPORT.replace("EXPORT_DIR", path), header=KERAS3) == []
    # ... also when the file fine-tunes a TF Hub model it loads from elsewhere (transfer learning).
    url = "https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/feature_vector/5"
    fine_tune = f"backbone = hub.KerasLayer({url!r}, trainable=True)\n"
    assert lint(fine_tune + EXPORT.replace("EXPORT_DIR", path), header=KERAS3) == []


@pytest.mark.parametrize("header, advice", [
    ("import keras\n", "wrap the model in a tf.Module"),
    ("from tensorflow import keras\n", "(Keras 3, TF 2.16 and later); with Keras 2 (tf_keras), tf.saved_model.save(model, path)"),
    ("import tf_keras as keras\n", "to publish for fine-tuning, tf.saved_model.save(model, path): a Keras 2 model"),
])
def test_the_fix_follows_the_keras_import(make_config, header, advice):
    # Real TF: Keras 3 and Keras 2 (2.13+) model.export() both write a serve endpoint without __call__ or
    # regularization_losses; only a Keras 2 model given to tf.saved_model.save exports the whole interface.
    code = header + EXPORT.replace("EXPORT_DIR", "'/tmp/tfhub/m'")
    findings = lint_text(code, "publisher.py", make_config(select=("HUB113",)))
    assert [advice in f.fix for f in findings] == [True]


def test_export_archive_is_reported_like_export(lint):
    code = """
    model = keras.Sequential([keras.layers.Dense(10)])
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(name="serve", fn=model.call, input_signature=[keras.InputSpec(shape=(None, 5))])
    archive.write_out(path)
    reloaded = hub.load(path)
    """
    assert [message.split(" writes")[0] for _, message in lint(code, header=KERAS3 + "path = FLAGS.out\n")] == [
        "archive.write_out()"
    ]


@pytest.mark.parametrize("code", [
    # TF1 Hub format: hub.Module(...).export(path, session) is the module's own export.
    """
    module = hub.Module(spec)
    module.export("/tmp/tfhub/m", session)
    """,
    # A receiver this file does not build.
    """
    from my_project import models
    model = models.build()
    model.export("/tmp/tfhub/m")
    """,
    """
    class Trainer:
        def publish(self):
            self.model.export("/tmp/tfhub/m")
    """,
])
def test_exports_of_other_things_are_not_reported(lint, code):
    assert lint(code, header=KERAS3) == []


# -- the committed publishers and the modules they exported -------------------------------------

PUBLISHERS = REPO / "tests" / "modules" / "publishers"
#: Publishers whose module HUB216 reports but whose source HUB113 cannot judge, and why.
MODULE_ONLY = {
    "keras3_export": (
        "model.export() with nothing in the file that says TF Hub: from the source, an export for "
        "serving; only the module pass, which is given the artifact as a module, can tell"
    ),
}


def test_source_and_module_agree_on_reusable_savedmodels():
    config = Config(select=("HUB113", "HUB216"), cache=False)
    in_source, in_module = set(), set()
    for publisher in sorted(PUBLISHERS.glob("*.py")):
        if any(f.rule_id == "HUB113" for f in lint_file(str(publisher), config)):
            in_source.add(publisher.stem)
        module = EXPORTED / publisher.stem
        if module.is_dir() and any(f.rule_id == "HUB216" for f in lint_module(str(module), config)[0]):
            in_module.add(publisher.stem)
    assert in_source == {"tf2_bare", "tf2_lookup_table_traced_save", "print_to_file"}
    assert in_module - in_source == set(MODULE_ONLY)
    assert in_source <= in_module


# -- what real TensorFlow does with the rule's own examples ----------------------------------------

needs_toolchain = pytest.mark.skipif(
    not TOOLCHAIN_PYTHON.exists(), reason=f"the TF toolchain venv is not installed ({TOOLCHAIN_PYTHON})"
)
TF_CURRENT = Path.home() / ".cache" / "hublint" / "tf-current" / "bin" / "python"
needs_tf_current = pytest.mark.skipif(not TF_CURRENT.exists(), reason=f"the TF 2.21 venv is not installed ({TF_CURRENT})")

# Appended to an example: how hub.KerasLayer (tensorflow_hub 0.15, TF 2.15) takes the saved object.
_AS_KERAS_LAYER = """
import json as _json
import tensorflow_hub as _hub
_layer = _hub.KerasLayer({path!r}, trainable=True)
print(_json.dumps({{"trainable_weights": len(_layer.trainable_weights), "losses": len(_layer.losses),
                   "passes_training": _layer._has_training_argument}}))
"""
# Appended to an example: what the loaded artifact offers (TF 2.21, Keras 3).
_ATTRIBUTES = """
import json as _json
_obj = tf.saved_model.load({path!r})
print(_json.dumps({{name: hasattr(_obj, name) for name in
                   ("__call__", "variables", "trainable_variables", "regularization_losses")}}))
"""


def _run(python: Path, code: str) -> dict:
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=300,
                          env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fires(code: str) -> bool:
    return any(f.rule_id == "HUB113" for f in lint_text(code, "example.py", Config(select=("HUB113",), cache=False)))


@needs_toolchain
@pytest.mark.parametrize("example, expected", [
    (RULE.bad[0], {"trainable_weights": 0, "losses": 0, "passes_training": False}),
    (RULE.bad[1], {"trainable_weights": 1, "losses": 1, "passes_training": False}),
    (RULE.good[0], {"trainable_weights": 1, "losses": 1, "passes_training": True}),
], ids=["no-attributes", "is_training", "reusable"])
def test_keras_layer_takes_the_examples_as_the_messages_say(tmp_path, example, expected):
    path = str(tmp_path / "module")
    result = _run(TOOLCHAIN_PYTHON, example.replace("/tmp/classifier", path) + _AS_KERAS_LAYER.format(path=path))
    assert result == expected
    assert _fires(example) == (example is not RULE.good[0])


@needs_tf_current
def test_keras3_export_is_inference_only(tmp_path):
    path = str(tmp_path / "export")
    example = RULE.bad[2].replace("import tensorflow_hub as hub\n", "import tensorflow as tf\n")
    example = example.replace("reloaded = hub.KerasLayer('/tmp/classifier', trainable=True)\n", "")
    result = _run(TF_CURRENT, example.replace("/tmp/classifier", path) + _ATTRIBUTES.format(path=path))
    assert result == {"__call__": False, "variables": True, "trainable_variables": True, "regularization_losses": False}
    assert _fires(RULE.bad[2])


def test_tf_hub_test_publisher_shape_without_the_attributes_is_reported(lint):
    # tensorflow_hub's keras_layer_test.py: a Keras model behind a tf.train.Checkpoint with __call__ set.
    code = """
    def save_model(export_dir):
        inp = tf.keras.layers.Input(shape=(1,), dtype=tf.float32)
        times_w = tf.keras.layers.Dense(units=1, kernel_regularizer=tf.keras.regularizers.l2(0.01))
        model = tf.keras.Model(inp, times_w(inp))

        @tf.function(input_signature=[tf.TensorSpec(shape=(None, 1), dtype=tf.float32)])
        def call_fn(inputs):
            return model(inputs, training=False)

        obj = tf.train.Checkpoint()
        obj.__call__ = call_fn
        obj.variables = model.trainable_variables + model.non_trainable_variables
        obj.trainable_variables = [times_w.kernel]
        obj.regularization_losses = [tf.function(lambda: model.losses[0], input_signature=[])]
        tf.saved_model.save(obj, export_dir)
    """
    assert lint(code) == []
    without = code.replace("        obj.trainable_variables = [times_w.kernel]\n", "").replace(
        "        obj.regularization_losses = [tf.function(lambda: model.losses[0], input_signature=[])]\n", "")
    assert lines(lint(without)) == [15]
