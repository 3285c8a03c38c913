from astroid import nodes

from hublint.finding import Location, Severity
from hublint.rule import SourceRule
from hublint.source import ops
from hublint.source.facts import location_of
from hublint.source.names import parameter_of
from hublint.source.values import UNKNOWN, evaluate


class SignatureMissing(SourceRule):
    id = "HUB108"
    name = "signature-missing"
    module_graph = True
    severity = Severity.ERROR
    other_severities = (Severity.WARNING,)
    summary = (
        "Reports a module function (given to `hub.create_module_spec`) that never calls "
        "`hub.add_signature` anywhere it reaches (an error), and, as warnings, one that adds only named "
        "signatures and no `default` one, or whose default signature's outputs dict (a dict literal, "
        "`dict(...)`, or a name bound to one and filled key by key) has no `default` key. A bare tensor as outputs is valid: TF Hub names it `default`."
    )
    rationale = (
        "A module without any signature cannot be called at all: it exports fine and fails only in "
        "the consumer's hands. Consumers call a module as `module(inputs)`, which runs the `default` "
        "signature and returns its `default` output; without them every consumer must pass "
        "`signature=` and `as_dict=True` and know the publisher's names. Some modules do that on "
        "purpose (BERT-style modules offer only named signatures), so those two are warnings; common "
        "signatures (image feature vectors, text embeddings) require both."
    )
    message = "module function {function} {problem}"
    fix = "{remedy}"
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn():  # error: no signature at all\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  tf.layers.dense(inputs, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn():\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hidden = tf.layers.dense(inputs, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "  # warning: module(inputs) finds no 'default' output\n"
        "  hub.add_signature(inputs=inputs, outputs=dict(hidden=hidden))\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn():\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hidden = tf.layers.dense(inputs, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "  # warning: only a named signature, so consumers must pass signature='embed'\n"
        "  hub.add_signature('embed', inputs=inputs, outputs=hidden)\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn():\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hidden = tf.layers.dense(inputs, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "  hub.add_signature(inputs=inputs, outputs=dict(default=hidden, hidden=hidden))\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn():\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hidden = tf.layers.dense(inputs, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "  hub.add_signature(inputs=inputs, outputs=hidden)\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )

    def check(self, facts, config):
        seen = set()
        for spec in facts.module_specs:
            for function in spec.module_functions:
                if function in seen:
                    continue
                seen.add(function)
                problem = self.problem(facts, function)
                if problem is not None:
                    text, remedy, node, severity = problem
                    yield self.finding(_location(node, facts.path), severity=severity,
                                       function=function.name, problem=text, remedy=remedy)

    @staticmethod
    def problem(facts, function):
        """(what is wrong, how to fix it, where, severity) for one module function, or None."""
        reached = facts.reach.get(function, frozenset({function}))
        signatures = [call for call in facts.named(ops.ADD_SIGNATURE) if call.function in reached]
        if not signatures:
            return (
                "never calls hub.add_signature",
                "call hub.add_signature(inputs=..., outputs=...) in the module function",
                function,
                Severity.ERROR,
            )
        default_signatures = []
        for call in signatures:
            name = call.argument("name", 0)
            if name is None or name.value == "default":
                default_signatures.append(call)
            elif not name.is_constant or call.star_kwargs or call.star_args:
                return None  # a computed name may be "default"
        if not default_signatures:
            names = ", ".join(repr(call.argument("name", 0).value) for call in signatures)
            return (
                f"adds only named signatures ({names}) and no default signature",
                "add hub.add_signature(inputs=..., outputs=...) without a name: consumers call the 'default' signature",
                signatures[0].node,
                Severity.WARNING,
            )
        for call in default_signatures:
            outputs = call.argument("outputs", 2)
            if outputs is None:
                continue
            if isinstance(outputs.node, nodes.Name):
                keys = _keys_filled_in(outputs.node)
            elif _is_dict_expression(outputs.node):
                keys = outputs.value
            else:
                continue
            if isinstance(keys, dict) and "default" not in keys:
                listed = ", ".join(repr(key) for key in keys) or "none"
                return (
                    f"adds a default signature whose outputs dict has no 'default' key (keys: {listed})",
                    "add a 'default' entry to the outputs dict of hub.add_signature "
                    "(consumers get module(inputs) from it)",
                    outputs.node,
                    Severity.WARNING,
                )
        return None


def _is_dict_expression(node) -> bool:
    """A dict built right there: a literal or ``dict(...)``, never a name that may be filled later."""
    if isinstance(node, nodes.Dict):
        return True
    return isinstance(node, nodes.Call) and isinstance(node.func, nodes.Name) and node.func.name == "dict"


def _keys_filled_in(name: nodes.Name):
    """The keys of ``outputs = {...}`` filled key by key (``outputs["default"] = y``) before use, or None
    when anything else may add a key (a computed key, ``update``, another binding)."""
    found = parameter_of(name) is None and _single_assignment(name)
    if not found:
        return None
    assignment, value = found
    if not _is_dict_expression(value):
        return None
    keys = evaluate(value)
    if not isinstance(keys, dict):
        return None
    keys = dict(keys)
    for node in assignment.scope().nodes_of_class((nodes.Subscript, nodes.Attribute)):
        target = node.value if isinstance(node, nodes.Subscript) else node.expr
        if not (isinstance(target, nodes.Name) and target.name == name.name):
            continue
        if isinstance(node, nodes.Attribute):
            if node.attrname not in ("get", "items", "keys", "values", "copy"):
                return None  # update, setdefault, ...: keys hublint does not see
        elif node.ctx is not None and node.ctx.name != "Load":
            key = evaluate(node.slice)
            if key is UNKNOWN:
                return None
            keys[key] = UNKNOWN
    return keys


def _single_assignment(name: nodes.Name):
    try:
        _, assignments = name.lookup(name.name)
    except Exception:
        return None
    if len(assignments) != 1 or not isinstance(assignments[0], nodes.AssignName):
        return None
    parent = assignments[0].parent
    if not isinstance(parent, nodes.Assign) or len(parent.targets) != 1:
        return None
    return assignments[0], parent.value


def _location(node, path: str) -> Location:
    if isinstance(node, (nodes.FunctionDef, nodes.AsyncFunctionDef)):
        # The ``def`` line, not the whole body.
        return Location(path=path, line=node.lineno, column=node.col_offset + 1)
    return location_of(node, path)
