from hublint.finding import Severity
from hublint.rule import SourceRule
from hublint.source.facts import location_of

# A call shown in a message is cut to this many characters.
_SHOWN = 60


class NotFollowed(SourceRule):
    id = "HUB004"
    name = "not-followed"
    module_graph = True
    severity = Severity.INFO
    summary = (
        "Reports where the source pass could not follow module code, so the module-graph rules "
        "(HUB102-HUB110) did not run there: a `module_fn` given to `hub.create_module_spec` that is no "
        "function hublint can read (imported from a file it cannot find, computed, a parameter no call "
        "sets), a call in module code to a function it cannot follow (an import of a project file that "
        "cannot be found or read, a class, a name bound several times; a callee chosen at run time such as "
        "`nets[name](x)` or `getattr(nets, name)(x)`; a network its callers pass in, `model(x)` or "
        "`encoder.encode(x)` where `model` / `encoder` is a parameter — not the methods of plain values, nor "
        "the accessors of an object every caller builds with a call, nor a callback TensorFlow calls), and an `arg_scope` in module code whose settings "
        "hublint cannot read. Functions of the other files of the project are followed (the project view: "
        "the linted file's folder and the folder above its package), and arg-scope functions are read from "
        "tf-slim's installed source, or from a catalogue of tf-slim's and TF-Models' nets when it is not "
        "installed. The message names the expression and why."
    )
    rationale = (
        "Silence from a linter should mean \"checked\". A module function defined in another file, or a "
        "network built by a helper of another module, is code hublint did not read: missing regularizers "
        "or always-on dropout there go unreported. Saying so tells the publisher which code still needs "
        "a look, instead of a clean report that promises more than it checked."
    )
    message = "not followed: {what}"
    fix = (
        "the rules did not run on that code: review it by hand, or keep the module function and the "
        "network it builds in files hublint reads together"
    )
    options = ("scope",)
    bad = (
        "import tensorflow_hub as hub\n"
        "from my_project.modules import module_fn\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "from my_project.nets import tower\n"
        "\n"
        "def module_fn():\n"
        "  images = tf.placeholder(tf.float32, shape=[None, 32, 32, 3])\n"
        "  hub.add_signature(inputs=images, outputs=tower(images))\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def tower(images):\n"
        "  return tf.reduce_mean(images, [1, 2])\n"
        "\n"
        "def module_fn():\n"
        "  images = tf.placeholder(tf.float32, shape=[None, 32, 32, 3])\n"
        "  hub.add_signature(inputs=images, outputs=tower(images))\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )

    def check(self, facts, config):
        for spec in facts.module_specs:
            if not spec.module_functions and spec.not_followed:
                yield self.finding(spec.call.location, what=spec.not_followed)
        seen = set()
        opaque = {id(scope) for scope, _ in facts.unfollowed_scopes}
        for node, function, callee, source, why in facts.unfollowed_calls:
            if (function, callee) in seen or id(node.parent) in opaque:  # said once, with its arg_scope
                continue
            seen.add((function, callee))
            shown = _shown(node)
            kind = "module function" if function in facts.reach else "function"
            if not source and why:  # a parameter (or its method): the caller decides what runs
                what = f"{shown} in {kind} {function.name} calls {callee}, but {why}: what its callers pass is not followed"
            elif not source:
                what = f"{shown} in {kind} {function.name} calls a function chosen at run time ({callee})"
            elif why:
                what = f"{shown} in {kind} {function.name} calls {callee}, imported from {source}, but {why}"
            else:
                what = f"{shown} in {kind} {function.name} calls {callee}, imported from {source}, another file hublint does not read"
            yield self.finding(location_of(node, facts.path), what=what)
        for node, function in facts.unfollowed_scopes:
            kind = "module function" if function in facts.reach else "function"
            yield self.finding(
                location_of(node, facts.path),
                what=f"{_shown(node)} in {kind} {function.name} sets arguments hublint cannot read: "
                "the tf-slim ops under it are not judged",
            )


def _shown(node) -> str:
    shown = node.as_string()
    return shown if len(shown) <= _SHOWN else shown[: _SHOWN - 3] + "..."
