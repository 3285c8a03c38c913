"""The project view (issue 9, class 2): code in other files of the project, and tf-slim's source.

Each story is a small project written to ``tmp_path``: a publisher script that builds a hub
module from a network, an arg scope or a constant of another file.  hublint reads those files
as Python would import them (the script's folder, the folder above its package), reports a
problem where it is (in the other file, once), keys its cache by the files a file imports, and
says what it could not follow (HUB004).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hublint import runner
from hublint.source import lint_file
from hublint.source.parse import parse_source
from tests.conftest import cli_findings
from tests.test_pylint_plugin import run_pylint

HEADER = """\
import tensorflow.compat.v1 as tf
import tensorflow_hub as hub
import tf_slim as slim
"""

# A network with two problems: a conv without regularizer (HUB102) and batch norm whose
# training flag is a constant (HUB106), although the function takes is_training.
TOWER = """\
import tf_slim as slim


def tower(x, is_training=True):
    net = slim.conv2d(x, 8, [3, 3])
    return slim.batch_norm(net, decay=0.9, is_training=True)
"""
TOWER_CONV_LINE, TOWER_BATCH_NORM_LINE = 5, 6


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def module(body: str, imports: str) -> str:
    """A publisher script: ``imports``, then ``body`` (module functions and create_module_spec)."""
    return HEADER + textwrap.dedent(imports).rstrip("\n") + "\n" + textwrap.dedent(body)


PUBLISHER = """
def module_fn(is_training=False):
    x = tf.placeholder(tf.float32, [None, 32, 32, 3])
    hub.add_signature(inputs=x, outputs=NET(x, is_training=is_training))


spec = hub.create_module_spec(module_fn, [(set(), {}), ({"train"}, {"is_training": True})])
"""


@pytest.fixture
def lint(make_config):
    """``lint(path, *rules)``: (rule id, file name relative to the project, line) of each finding."""

    def run(path: Path, *rules: str, **fields):
        config = make_config(select=(*rules, "HUB001"), **fields)
        findings = lint_file(str(path), config)
        return [(f.rule_id, os.path.relpath(os.path.abspath(f.location.path), path.parent), f.location.line)
                for f in findings]

    return run


# -- 1. a network in another file of the project --------------------------------------------------


@pytest.mark.parametrize(
    ("imports", "net", "package"),
    [
        ("from nets.tower import tower", "tower", ""),
        # ``from nets import tower``: the package re-exports the function of its module
        ("from nets import tower", "tower", "from .tower import tower\n"),
        ("import nets.tower as towers", "towers.tower", ""),
        ("from nets import tower as towers", "towers.tower", ""),  # the submodule, not re-exported
    ],
)
def test_network_in_another_file_is_judged_where_it_is(tmp_path, lint, imports, net, package):
    write(tmp_path, {
        "nets/__init__.py": package,
        "nets/tower.py": TOWER,
        "main.py": module(PUBLISHER.replace("NET", net), imports),
    })
    assert lint(tmp_path / "main.py", "HUB102", "HUB106", "HUB004") == [
        ("HUB102", "nets/tower.py", TOWER_CONV_LINE),
        ("HUB106", "nets/tower.py", TOWER_BATCH_NORM_LINE),
    ]


# The issue's own reproduction: the network takes its flag as an argument, and the module
# function passes it a constant: ``tower(x, is_training=True)``.
FLAG_TOWER = """\
import tf_slim as slim


def tower(x, is_training):
    net = slim.conv2d(x, 8, [3, 3], weights_regularizer=slim.l2_regularizer(1e-4))
    return slim.batch_norm(net, decay=0.9, is_training=is_training)


def block(x, training):
    return tower(x, is_training=training)
"""


@pytest.mark.parametrize(("call", "via"), [
    ("tower(x, is_training=True)", "tower"),
    ("tower(x, True)", "tower"),
    ("block(x, training=False)", "block -> tower"),  # through a second function of that file
])
def test_a_constant_flag_passed_to_another_files_network_is_hub106_at_the_call(tmp_path, lint, call, via):
    body = """
        def module_fn(is_training=False):
            x = tf.placeholder(tf.float32, [None, 32, 32, 3])
            y = CALL
            hub.add_signature(inputs=x, outputs=y)


        spec = hub.create_module_spec(module_fn, [(set(), {}), ({"train"}, {"is_training": True})])
    """.replace("CALL", call)
    write(tmp_path, {"nets/__init__.py": "", "nets/tower.py": FLAG_TOWER,
                     "main.py": module(body, "from nets.tower import tower, block")})
    findings = lint_file(str(tmp_path / "main.py"), make_config_for("HUB106"))
    assert [(f.rule_id, f.location.path.rsplit("/", 1)[-1], f.location.line) for f in findings] == [
        ("HUB106", "main.py", 8)]
    assert f"(nets/tower.py:6, in {via}) has a fixed is_training=" in findings[0].message, findings[0].message


def test_a_flag_the_module_function_passes_on_or_branches_on_is_not_fixed(tmp_path, lint):
    body = """
        def module_fn(is_training=False):
            x = tf.placeholder(tf.float32, [None, 32, 32, 3])
            y = tower(x, is_training=is_training)
            if is_training:
                y = tower(y, is_training=True)
            else:
                y = tower(y, is_training=False)
            y = tf.cond(tf.constant(is_training), lambda: tower(y, True), lambda: tower(y, False))
            y = tower(y, True) if is_training else tower(y, False)
            hub.add_signature(inputs=x, outputs=y)


        def evaluate(x):  # not module code: never judged
            return tower(x, is_training=False)


        spec = hub.create_module_spec(module_fn, [(set(), {}), ({"train"}, {"is_training": True})])
    """
    write(tmp_path, {"nets/__init__.py": "", "nets/tower.py": FLAG_TOWER,
                     "main.py": module(body, "from nets.tower import tower")})
    assert lint(tmp_path / "main.py", "HUB106") == []


def make_config_for(*rules):
    from hublint.config import Config

    return Config(cache=False, select=(*rules, "HUB001"))


def test_a_network_reached_from_several_module_functions_and_files_is_reported_once(tmp_path):
    two_module_functions = PUBLISHER.replace("NET", "tower") + textwrap.dedent("""
        def small_module_fn():
            x = tf.placeholder(tf.float32, [None, 16, 16, 3])
            hub.add_signature(inputs=x, outputs=tower(x))

        small = hub.create_module_spec(small_module_fn)
    """)
    write(tmp_path, {
        "nets/__init__.py": "",
        "nets/tower.py": TOWER,
        "main.py": module(two_module_functions, "from nets.tower import tower"),
        "export_again.py": module(PUBLISHER.replace("NET", "tower"), "from nets.tower import tower"),
    })
    _, findings = cli_findings("--select", "HUB102,HUB106", ".", cwd=tmp_path)
    assert [(f["rule_id"], f["path"], f["line"]) for f in findings] == [
        ("HUB102", "nets/tower.py", TOWER_CONV_LINE),
        ("HUB106", "nets/tower.py", TOWER_BATCH_NORM_LINE),
    ]


def test_network_in_another_file_honours_its_suppression_comments(tmp_path, lint):
    write(tmp_path, {
        "nets/__init__.py": "",
        "nets/tower.py": TOWER.replace("[3, 3])", "[3, 3])  # hublint: disable=HUB102"),
        "main.py": module(PUBLISHER.replace("NET", "tower"), "from nets.tower import tower"),
    })
    assert lint(tmp_path / "main.py", "HUB102", "HUB106") == [("HUB106", "nets/tower.py", TOWER_BATCH_NORM_LINE)]


def test_module_function_imported_from_another_file_is_followed(tmp_path, lint):
    write(tmp_path, {
        "nets/__init__.py": "",
        "nets/tower.py": TOWER,
        "modules.py": module(PUBLISHER.split("spec =")[0].replace("NET", "tower"), "from nets.tower import tower"),
        "main.py": module(
            'spec = hub.create_module_spec(module_fn, [(set(), {}), ({"train"}, {"is_training": True})])\n',
            "from modules import module_fn",
        ),
    })
    assert lint(tmp_path / "main.py", "HUB102", "HUB106", "HUB004") == [
        ("HUB102", "nets/tower.py", TOWER_CONV_LINE),
        ("HUB106", "nets/tower.py", TOWER_BATCH_NORM_LINE),
    ]


# -- 2. arg scopes of tf-slim's nets and of the project --------------------------------------------


ARG_SCOPE_PUBLISHER = """
def module_fn():
    x = tf.placeholder(tf.float32, [None, 32, 32, 3])
    with slim.arg_scope(SCOPE):
        a = slim.conv2d(x, 8, [3, 3])
        b = slim.fully_connected(slim.flatten(a), 10)
        c = slim.separable_conv2d(x, 8, [3, 3], 1)
    hub.add_signature(inputs=x, outputs=b + tf.reduce_mean(c))


spec = hub.create_module_spec(module_fn)
"""
SEPARABLE_LINE = HEADER.count("\n") + 1 + 7  # the one op inception_v3_arg_scope does not regularize


def test_tf_slim_arg_scope_function_is_read_from_tf_slims_source(tmp_path, lint):
    assert importlib.util.find_spec("tf_slim") is not None, "tf-slim is a test dependency"
    write(tmp_path, {"main.py": module(
        ARG_SCOPE_PUBLISHER.replace("SCOPE", "inception_v3.inception_v3_arg_scope()"),
        "from tf_slim.nets import inception_v3",
    )})
    assert lint(tmp_path / "main.py", "HUB102", "HUB004") == [("HUB102", "main.py", SEPARABLE_LINE)]
    # ... read from its real source, not only from the catalogue of arg-scope functions
    found = definition(last_expression("from tf_slim.nets import inception_v3\ninception_v3.inception_v3_arg_scope\n",
                                       tmp_path / "main.py"))
    assert found.module.library and found.module.path.endswith(os.path.join("tf_slim", "nets", "inception_v3.py"))
    assert found.function.name == "inception_v3_arg_scope"


def test_arg_scope_function_of_the_project_wrapping_tf_slims_is_read(tmp_path, lint):
    # TF-Models style: the project's own arg-scope function, built on the library's
    write(tmp_path, {
        "scopes.py": """\
            import tf_slim as slim
            from tf_slim.nets import inception_v3


            def my_arg_scope(weight_decay=4e-5):
                with slim.arg_scope(inception_v3.inception_v3_arg_scope(weight_decay=weight_decay)):
                    with slim.arg_scope([slim.conv2d], padding="SAME") as scope:
                        return scope


            def plain_arg_scope():
                return inception_v3.inception_v3_arg_scope()


            def no_decay_arg_scope():
                with slim.arg_scope(inception_v3.inception_v3_arg_scope(weight_decay=0.0)) as scope:
                    return scope
            """,
        "main.py": module(ARG_SCOPE_PUBLISHER.replace("SCOPE", "scopes.my_arg_scope()"), "import scopes"),
        "plain.py": module(ARG_SCOPE_PUBLISHER.replace("SCOPE", "scopes.plain_arg_scope()"), "import scopes"),
        "off.py": module(ARG_SCOPE_PUBLISHER.replace("SCOPE", "scopes.no_decay_arg_scope()"), "import scopes"),
    })
    # Before the project view: "not followed" and not a word on the ops under it.
    assert lint(tmp_path / "main.py", "HUB102", "HUB004") == [("HUB102", "main.py", SEPARABLE_LINE)]
    assert lint(tmp_path / "plain.py", "HUB102", "HUB004") == [("HUB102", "plain.py", SEPARABLE_LINE)]
    # tf-slim's l2_regularizer(0.0) is no regularizer
    assert lint(tmp_path / "off.py", "HUB102", "HUB004") == [
        ("HUB102", "off.py", SEPARABLE_LINE - 2), ("HUB102", "off.py", SEPARABLE_LINE - 1),
        ("HUB102", "off.py", SEPARABLE_LINE),
    ]


# -- 3. constants of another file ------------------------------------------------------------------


@pytest.mark.parametrize(("tags", "expected"), [
    ('TAGS = [(set(), {})]\n', [("HUB107", "main.py", 12)]),
    ('TAGS = [(set(), {}), ({"train"}, {"is_training": True})]\n', []),
])
def test_module_constant_from_another_file_is_folded(tmp_path, lint, tags, expected):
    write(tmp_path, {
        "config.py": tags,
        "main.py": module("""
            def module_fn(is_training=False):
                x = tf.placeholder(tf.float32, [None, 10])
                y = tf.layers.dropout(x, 0.2, training=is_training)
                hub.add_signature(inputs=x, outputs=y)


            spec = hub.create_module_spec(module_fn, tags_and_args=TAGS)
            """, "from config import TAGS"),
    })
    assert lint(tmp_path / "main.py", "HUB107") == expected


@pytest.mark.parametrize(("utils", "expected"), [
    # revisiting-self-supervised: the "train" tag set is named by utils.TAGS_IS_TRAINING = ["is_training"]
    ('TAGS_IS_TRAINING = ["is_training"]\n', [("HUB107", "selfsup/rotation.py", 12)]),
    ('TAGS_IS_TRAINING = ["train"]\n', []),
])
def test_module_constant_read_through_an_imported_module_is_folded(tmp_path, lint, utils, expected):
    write(tmp_path, {
        "selfsup/__init__.py": "",
        "selfsup/utils.py": utils,
        "selfsup/rotation.py": module("""
            def model_fn(is_training=False):
                x = tf.placeholder(tf.float32, [None, 10])
                y = tf.layers.dropout(x, 0.2, training=is_training)
                hub.add_signature(inputs=x, outputs=y)


            spec = hub.create_module_spec(model_fn, tags_and_args=[
                (set(), {"is_training": False}), (set(utils.TAGS_IS_TRAINING), {"is_training": True})])
            """, "from selfsup import utils"),
    })
    assert lint(tmp_path / "selfsup" / "rotation.py", "HUB107") == [
        (rule, os.path.relpath(tmp_path / name, tmp_path / "selfsup"), line) for rule, name, line in expected]


# -- 4. one file on the command line, and the pylint plugin -----------------------------------------


def nested_project(tmp_path: Path) -> Path:
    """``src/publisher/export.py`` importing ``publisher.nets.tower``: the project root is ``src``."""
    write(tmp_path / "src", {
        "publisher/__init__.py": "",
        "publisher/nets/__init__.py": "",
        "publisher/nets/tower.py": TOWER,
        "publisher/export.py": module(PUBLISHER.replace("NET", "tower"), "from publisher.nets.tower import tower"),
    })
    return tmp_path / "src" / "publisher"


def test_one_file_on_the_command_line_is_judged_in_its_project(tmp_path):
    package = nested_project(tmp_path)
    tower = os.path.join("src", "publisher", "nets", "tower.py")
    _, findings = cli_findings("--select", "HUB102,HUB106", str(Path("src", "publisher", "export.py")), cwd=tmp_path)
    assert [(f["rule_id"], f["path"], f["line"]) for f in findings] == [
        ("HUB102", tower, TOWER_CONV_LINE),
        ("HUB106", tower, TOWER_BATCH_NORM_LINE),
    ]
    # named by an absolute path from another folder, the findings carry absolute paths
    _, findings = cli_findings("--select", "HUB102,HUB106", str(package / "export.py"), cwd=package / "nets")
    assert {f["path"] for f in findings} == {str(package / "nets" / "tower.py")}


def test_pylint_plugin_reports_the_other_files_problem_at_the_call_that_reaches_it(tmp_path):
    package = nested_project(tmp_path)
    messages = run_pylint("--disable=all", "--enable=W9102,W9106", str(package / "export.py"), cwd=tmp_path)
    call_line = HEADER.count("\n") + 1 + 4  # hub.add_signature(..., outputs=tower(x, ...))
    assert sorted((m["symbol"], Path(m["path"]).name, m["line"]) for m in messages) == [
        ("batchnorm-training-fixed", "export.py", call_line),
        ("missing-kernel-regularizer", "export.py", call_line),
    ]
    tower = package / "nets" / "tower.py"
    assert all(f"(in {tower}:" in m["message"] and "reached through tower" in m["message"] for m in messages)


# -- 5. the cache knows which files a file imports ---------------------------------------------------


def test_cache_relints_a_file_when_a_file_it_imports_changes_and_only_then(tmp_path, make_config):
    write(tmp_path, {
        "nets/__init__.py": "",
        "nets/tower.py": TOWER,
        "main.py": module(PUBLISHER.replace("NET", "tower"), "from nets.tower import tower"),
        "unrelated.py": module(PUBLISHER.replace("NET", "tf.layers.dense"), ""),
    })
    config = make_config(cache=True, select=("HUB102", "HUB106"))
    paths = [str(tmp_path)]
    cold = runner.run(paths, config)
    assert cold.cached_files == 0
    assert {(f.rule_id, Path(f.location.path).name) for f in cold.findings} == {
        ("HUB102", "tower.py"), ("HUB106", "tower.py"), ("HUB102", "unrelated.py"),
    }
    assert runner.run(paths, config).cached_files == 4

    def stale() -> set[str]:
        cache = runner._Cache.open(config)
        return {Path(path).name for path in cold.sources if cache.get(path) is None}

    # fixing the network re-lints the script that imports it, and its findings go
    (tmp_path / "nets" / "tower.py").write_text(
        TOWER.replace("[3, 3])", "[3, 3], weights_regularizer=slim.l2_regularizer(1e-4))"))
    assert stale() == {"tower.py", "main.py"}
    fixed = runner.run(paths, config)
    assert fixed.cached_files == 2
    assert {(f.rule_id, Path(f.location.path).name) for f in fixed.findings} == {
        ("HUB106", "tower.py"), ("HUB102", "unrelated.py"),
    }
    # editing a file nothing imports re-lints only that file
    (tmp_path / "unrelated.py").write_text((tmp_path / "unrelated.py").read_text() + "\n# edited\n")
    assert stale() == {"unrelated.py"}
    assert runner.run(paths, config).cached_files == 3


def test_cache_relints_a_file_when_a_missing_module_it_imports_appears(tmp_path, make_config):
    write(tmp_path, {"main.py": module(PUBLISHER.replace("NET", "tower"), "from nets.tower import tower")})
    config = make_config(cache=True, select=("HUB102", "HUB004"))
    first = runner.run([str(tmp_path / "main.py")], config)
    assert [f.rule_id for f in first.findings] == ["HUB004"]
    write(tmp_path, {"nets/__init__.py": "", "nets/tower.py": TOWER})
    second = runner.run([str(tmp_path / "main.py")], config)
    assert second.cached_files == 0
    assert [(f.rule_id, Path(f.location.path).name) for f in second.findings] == [("HUB102", "tower.py")]


# -- 6. what cannot be followed is said ----------------------------------------------------------


def test_what_cannot_be_followed_is_said(tmp_path, make_config):
    write(tmp_path, {
        "nets/__init__.py": "",
        "nets/tower.py": TOWER + textwrap.dedent("""

            class Tower:
                def __call__(self, x):
                    return slim.conv2d(x, 8, [3, 3])


            NETS = {"tower": tower}
            """),
        "main.py": module("""
            def module_fn(name="tower"):
                x = tf.placeholder(tf.float32, [None, 32, 32, 3])
                a = missing_net(x)
                b = NETS[name](x)
                c = Tower()(x)
                hub.add_signature(inputs=x, outputs=a + b + c)


            spec = hub.create_module_spec(module_fn)
            """, "from nets.missing import missing_net\nfrom nets.tower import NETS, Tower"),
    })
    config = make_config(select=("HUB004",))
    found = [(f.location.line, f.message) for f in lint_file(str(tmp_path / "main.py"), config)]
    first = HEADER.count("\n") + 2 + 4
    assert found == [
        (first, "not followed: missing_net(x) in module function module_fn calls missing_net, imported from "
                "nets.missing, another file hublint does not read"),
        (first + 1, "not followed: NETS[name](x) in module function module_fn calls a function chosen at run "
                    "time (NETS[name])"),
        (first + 2, "not followed: Tower() in module function module_fn calls Tower, imported from nets.tower, "
                    "but Tower is a class in nets.tower, whose methods are not followed"),
    ]


# -- the bounded policy: TensorFlow's own sources are never read ---------------------------------------


def test_libraries_other_than_tf_slim_are_never_read(tmp_path):
    # a project folder named like TensorFlow is still not read: the name means the library
    write(tmp_path, {"tensorflow/__init__.py": "def dense(x):\n    return x\n",
                     "mine/__init__.py": "def dense(x):\n    return x\n"})
    assert definition(last_expression("from tensorflow import dense\ndense\n", tmp_path / "main.py")) is None
    assert definition(last_expression("from mine import dense\ndense\n", tmp_path / "main.py")).function.name == "dense"


def definition(expr):
    from hublint.source.project import definition as project_definition

    return project_definition(expr)


def last_expression(text: str, path: Path):
    """The expression of the last statement of ``text``, parsed as the file ``path``."""
    tree = parse_source(text, str(path))
    return tree.body[-1].value
