"""The dropout rate, batch-norm momentum and training flag an op call runs with.

Shared by the dropout and batch-norm rules (HUB103-HUB107, HUB110): each
reader looks at the call's own argument, then at the enclosing ``arg_scope``,
then at the library default, and says which of these the value came from, so
messages can name it ("keep_prob=0.2", "the default decay=0.999",
"decay=0.9997 (the default of parameter batch_norm_decay)").
"""

from __future__ import annotations

from dataclasses import dataclass

from astroid import nodes

from hublint.source import ops
from hublint.source.facts import Argument, ArgScope, CallSite, SourceFacts, is_method_call
from hublint.source.names import Names, parameter_of
from hublint.source.values import UNKNOWN, bind_call


@dataclass(frozen=True)
class Reading:
    """One setting of one op: its value (UNKNOWN if not a constant) and where it came from."""

    value: object
    keyword: str  # the argument name in the user's code ("rate", "keep_prob", "decay", "training")
    argument: Argument | None  # None: the library default
    from_arg_scope: bool = False
    parameter: str = ""  # the value is this function parameter's default
    shown: object = None  # the value as written, when it differs from ``value`` (keep_prob)

    @property
    def is_default(self) -> bool:
        return self.argument is None

    @property
    def is_constant(self) -> bool:
        return self.value is not UNKNOWN

    def describe(self) -> str:
        """How the value was set, in the user's words: ``keep_prob=0.2``, ``the default decay=0.999``."""
        shown = self.value if self.shown is None else self.shown
        if self.argument is None:
            return f"the default {self.keyword}={_number(shown)}"
        text = f"{self.keyword}={_number(shown)}"
        if self.parameter:
            text += f" (the default of parameter {self.parameter})"
        if self.from_arg_scope:
            text += " from the enclosing arg_scope"
        return text


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else repr(value) if isinstance(value, str) else str(value)


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def read_argument(argument: Argument, keyword: str, from_arg_scope: bool, defaults: bool) -> Reading:
    """Read ``argument``; with ``defaults`` a parameter counts as its default value."""
    if argument.is_constant:
        return Reading(argument.value, keyword, argument, from_arg_scope)
    value = argument.default_value if defaults else UNKNOWN
    return Reading(value, keyword, argument, from_arg_scope, parameter=argument.parameter or "")


def _setting(call: CallSite, param: ops.Param, defaults: bool) -> Reading | None:
    """The call's (or arg_scope's) argument for ``param``, the library default, or None if unknowable."""
    found = call.setting(param)
    if found is not None:
        return read_argument(found.argument, param.keyword, found.from_arg_scope, defaults)
    if call.may_pass(param) or param.default is ops.NO_DEFAULT:
        return None
    if call.name.startswith("slim.") and not call.closed:
        return None  # a caller's arg_scope may set it
    return Reading(param.default, param.keyword, None)


# -- dropout ------------------------------------------------------------------------------------


def dropout_rate(call: CallSite, defaults: bool = False) -> Reading | None:
    """The fraction a dropout call drops (``keep_prob`` read as ``1 - keep_prob``), or None."""
    op = ops.DROPOUT.get(call.name)
    if op is None:
        return None
    if call.name == "tf.nn.dropout":
        return _nn_dropout_rate(call, defaults)
    if op.rate is not None:
        return _setting(call, op.rate, defaults)
    if op.keep_prob is not None:
        return _as_rate(_setting(call, op.keep_prob, defaults))
    return None


def _nn_dropout_rate(call: CallSite, defaults: bool) -> Reading | None:
    if "rate" in call.keywords:
        return read_argument(call.keywords["rate"], "rate", False, defaults)
    if "keep_prob" in call.keywords:
        return _as_rate(read_argument(call.keywords["keep_prob"], "keep_prob", False, defaults))
    meaning = ops.NN_DROPOUT_POSITIONAL.get(call.api)
    if meaning is None or len(call.args) < 2:
        return None  # plain ``tf.nn.dropout(x, 0.5)``: keep_prob in TF1, rate in TF2
    reading = read_argument(call.args[1], meaning, False, defaults)
    return _as_rate(reading) if meaning == "keep_prob" else reading


def written_dropout_argument(call: CallSite) -> Reading | None:
    """What a dropout call writes for its rate or keep_prob, as written, even where its meaning is
    ambiguous (``tf.nn.dropout(x, 0.5)`` under plain ``import tensorflow``: keep_prob in TF1, rate in
    TF2): that a value is hard-coded (HUB110) does not depend on which it is."""
    reading = dropout_rate(call)
    if reading is None and call.name == "tf.nn.dropout" and len(call.args) >= 2:
        return read_argument(call.args[1], "keep_prob / rate", False, defaults=False)
    if reading is not None and reading.shown is not None:  # keep_prob read as a rate: shown as written
        return Reading(reading.shown, reading.keyword, reading.argument, reading.from_arg_scope, reading.parameter)
    return reading


def _as_rate(keep: Reading | None) -> Reading | None:
    if keep is None or not is_number(keep.value):
        return keep
    return Reading(round(1 - keep.value, 12), keep.keyword, keep.argument, keep.from_arg_scope, keep.parameter, keep.value)


def training_flag(call: CallSite) -> Reading | None:
    """The ``training`` / ``is_training`` a dropout or batch-norm call runs with, or None if unknowable.

    The value is a constant (True / False) or UNKNOWN for a variable or parameter.
    """
    param = None
    if call.name in ops.DROPOUT:
        param = ops.DROPOUT[call.name].training
    elif call.name in ops.BATCH_NORM:
        param = ops.BATCH_NORM[call.name].training
    elif call.name in ops.BATCH_NORM_CALL:
        param = ops.BATCH_NORM_CALL[call.name]
    if param is None:
        return None
    return _setting(call, param, defaults=False)


#: How many calls up a training flag that is a parameter is followed to the constant a caller passes.
MAX_CALLER_HOPS = 4


@dataclass(frozen=True)
class FixedByCaller:
    """A call in module code that passes a constant training flag down to an op: ``tower(x, is_training=True)``
    reaching ``slim.batch_norm(net, is_training=is_training)`` in ``tower``."""

    value: object  # the constant (True / False)
    node: nodes.NodeNG  # the constant as the caller wrote it: where the finding points
    keyword: str  # the op's argument it reaches ("is_training")
    path: tuple[str, ...]  # the functions it passes through, outermost first ("tower",)


def training_fixed_by_callers(facts: SourceFacts, call: CallSite) -> list[FixedByCaller]:
    """The constants that module code passes for ``call``'s training flag when that flag is a
    parameter of the function the call is in (followed through :data:`MAX_CALLER_HOPS` calls)."""
    flag = training_flag(call)
    if flag is None or flag.is_constant or flag.argument is None or flag.from_arg_scope:
        return []
    found: list[FixedByCaller] = []
    pending = [(flag.argument.node, ())]
    seen: set[int] = set()
    while pending:
        node, path = pending.pop()
        parameter = parameter_of(node)
        if parameter is None or not isinstance(parameter[0], nodes.FunctionDef) or len(path) >= MAX_CALLER_HOPS:
            continue
        function, name = parameter
        for caller in facts.local_calls.get(function, ()):
            if id(caller) in seen:
                continue
            seen.add(id(caller))
            bound = bind_call(caller, function, skip_first=is_method_call(caller, function))
            value = bound[1].get(name) if bound else None
            if value is None:
                continue
            if _gated(caller):
                continue  # ``if is_training: tower(x, is_training=True)``: the branch is the flag
            if isinstance(value, nodes.Const) and isinstance(value.value, bool):
                if _in_module_code(facts, caller):
                    found.append(FixedByCaller(value.value, value, flag.keyword, (function.name, *path)))
            elif isinstance(value, nodes.Name):
                pending.append((value, (function.name, *path)))
    return found


def _gated(node: nodes.NodeNG) -> bool:
    """Whether ``node`` runs only on one branch of its function: under ``if``, in a conditional
    expression, or in a lambda (``tf.cond(is_training, lambda: ..., lambda: ...)``)."""
    while node.parent is not None and not isinstance(node.parent, nodes.FunctionDef):
        parent = node.parent
        if isinstance(parent, nodes.Lambda):
            return True
        if isinstance(parent, (nodes.If, nodes.IfExp)) and node is not parent.test:
            return True
        node = parent
    return False


def _in_module_code(facts: SourceFacts, node: nodes.NodeNG) -> bool:
    scope = node.scope()
    while scope is not None and not isinstance(scope, nodes.FunctionDef):
        scope = scope.parent.scope() if scope.parent is not None else None
    return scope is not None and scope in facts.module_code


# -- batch norm ---------------------------------------------------------------------------------


def batchnorm_momentum(facts: SourceFacts, call: CallSite) -> Reading | None:
    """The momentum (decay) a batch-norm call uses, set on the call or by default; None if unknowable.

    Values an ``arg_scope`` supplies are read at the ``arg_scope`` (:func:`scope_momenta`), once.
    """
    op = ops.BATCH_NORM.get(call.name)
    if op is not None:
        found = call.argument(op.momentum)
        if found is not None:
            return _unless_caller_sets(facts, call, read_argument(found, op.momentum.keyword, False, defaults=True))
        if op.momentum.keyword in call.scope_defaults:
            return None
        return _setting(call, op.momentum, defaults=True)
    if call.name in ops.WEIGHT_LAYERS and "normalizer_params" in call.keywords:
        entry = dict_entry(call.keywords["normalizer_params"], "decay")
        if entry is not None:
            return _unless_caller_sets(facts, call, read_argument(entry, "decay", False, defaults=True))
    return None


def _unless_caller_sets(facts: SourceFacts, call: CallSite, reading: Reading) -> Reading | None:
    """``reading``, unless it is a parameter default that a call in this file overrides."""
    if reading.parameter and _caller_sets(facts, call.function, reading.parameter):
        return None
    return reading


def scope_momenta(facts: SourceFacts, scope: ArgScope) -> list[tuple[Reading, nodes.NodeNG, bool]]:
    """Batch-norm decays an ``arg_scope`` sets: the reading, the node that sets it, whether in normalizer_params."""
    found = []
    if "slim.batch_norm" in scope.ops and "decay" in scope.defaults:
        decay = scope.defaults["decay"]
        found.append((read_argument(decay, "decay", False, defaults=True), decay.node, False))
    if "normalizer_params" in scope.defaults:
        entry = dict_entry(scope.defaults["normalizer_params"], "decay")
        if entry is not None:
            found.append((read_argument(entry, "decay", False, defaults=True), entry.node, True))
    return [
        (reading, node, in_params)
        for reading, node, in_params in found
        if not (reading.parameter and _caller_sets(facts, scope.function, reading.parameter))
    ]


def _caller_sets(facts: SourceFacts, function, parameter: str) -> bool:
    """Whether a call in this file passes ``parameter`` to ``function`` (so its default is not what runs)."""
    if function is None:
        return False
    for call in facts.local_calls.get(function, ()):
        bindings = bind_call(call, function)
        if bindings and parameter in bindings[1]:
            return True
    return False


def dict_entry(argument: Argument, key: str) -> Argument | None:
    """The value node of ``key`` in a dict literal, ``dict(...)`` call, or a name bound once to one."""
    node = argument.node
    if isinstance(node, nodes.Name):
        node = Names().assigned_value(node)
    if isinstance(node, nodes.Dict):
        for key_node, value in node.items:
            if isinstance(key_node, nodes.Const) and key_node.value == key:
                return Argument(value, argument.bindings)
    if isinstance(node, nodes.Call) and isinstance(node.func, nodes.Name) and node.func.name == "dict":
        for keyword in node.keywords or ():
            if keyword.arg == key:
                return Argument(keyword.value, argument.bindings)
    return None


# -- classification ------------------------------------------------------------------------------


def is_dropout(call: CallSite) -> bool:
    return call.name in ops.DROPOUT


def is_batch_norm(call: CallSite) -> bool:
    return call.name in ops.BATCH_NORM or call.name in ops.BATCH_NORM_CALL


def op_title(call: CallSite) -> str:
    """What the user called, for messages: ``tf.layers.dropout``, ``Dropout layer drop``."""
    if call.name.endswith(".__call__"):
        cls = call.name[: -len(".__call__")].rsplit(".", 1)[-1]
        return f"{cls} layer {call.text}" if isinstance(call.node.func, nodes.Name) else f"{cls} layer"
    return call.text
