"""Constant values of expressions in publisher code, without running it.

Literals, simple arithmetic (``1 - 0.3``), containers of those, ``set()`` /
``dict(...)``, and names bound once to a constant (module constants, local
variables, module constants of another project file imported with ``from
config import TAGS``) have a value; anything else is :data:`UNKNOWN`.  Containers keep
their known parts and hold :data:`UNKNOWN` where a part is not constant.

With ``defaults=True`` a function parameter evaluates to its default value
(``def inception_arg_scope(batch_norm_decay=0.9997)``); ``bindings`` give the
values a caller passed instead (``inception_arg_scope(batch_norm_decay=0.9)``).
"""

from __future__ import annotations

import operator

from astroid import nodes


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


#: The value of an expression that is not a constant.
UNKNOWN = _Unknown()

#: A caller's arguments for the parameters of one function: ``(function, {name: node})``.
Bindings = tuple  # (nodes.FunctionDef, dict[str, nodes.NodeNG]) or ()

_MAX_DEPTH = 12
_BINARY = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
}
_UNARY = {"-": operator.neg, "+": operator.pos, "not": operator.not_}


def evaluate(node: nodes.NodeNG | None, defaults: bool = False, bindings: Bindings = (), depth: int = 0):
    """The constant value of ``node``, or :data:`UNKNOWN`."""
    if node is None or depth > _MAX_DEPTH:
        return UNKNOWN
    try:
        return _evaluate(node, defaults, bindings, depth)
    except (ArithmeticError, TypeError, ValueError, OverflowError):
        return UNKNOWN


def _evaluate(node, defaults, bindings, depth):
    again = lambda child: evaluate(child, defaults, bindings, depth + 1)  # noqa: E731
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.UnaryOp):
        value = again(node.operand)
        if value is UNKNOWN or node.op not in _UNARY or isinstance(value, str):
            return UNKNOWN
        return _UNARY[node.op](value)
    if isinstance(node, nodes.BinOp):
        left, right = again(node.left), again(node.right)
        if not (_is_number(left) and _is_number(right)) or node.op not in _BINARY:
            return UNKNOWN
        return _BINARY[node.op](left, right)
    if isinstance(node, (nodes.List, nodes.Tuple)):
        if any(isinstance(element, nodes.Starred) for element in node.elts):
            return UNKNOWN
        values = [again(element) for element in node.elts]
        return values if isinstance(node, nodes.List) else tuple(values)
    if isinstance(node, nodes.Set):
        values = [again(element) for element in node.elts]
        return UNKNOWN if any(v is UNKNOWN for v in values) else frozenset(values)
    if isinstance(node, nodes.Dict):
        result = {}
        for key, value in node.items:
            if isinstance(key, nodes.DictUnpack):
                return UNKNOWN  # ``**more`` may add any key
            key_value = again(key)
            if key_value is UNKNOWN:
                return UNKNOWN
            result[key_value] = again(value)
        return result
    if isinstance(node, nodes.Call):
        return _builtin_call(node, again)
    if isinstance(node, nodes.Name):
        return _name_value(node, defaults, bindings, depth)
    if isinstance(node, nodes.Attribute) and isinstance(node.expr, nodes.Name):
        return _module_constant(node, depth)
    return UNKNOWN


def _module_constant(node: nodes.Attribute, depth: int):
    """``utils.TAGS_IS_TRAINING``: a module constant of a project file imported as a module."""
    from hublint.source import project

    return _bound_value(project.module_value(node), False, (), depth)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _builtin_call(node: nodes.Call, again):
    if not isinstance(node.func, nodes.Name) or not _is_builtin(node.func):
        return UNKNOWN
    name = node.func.name
    if name == "dict" and not node.args:
        if any(keyword.arg is None for keyword in node.keywords):
            return UNKNOWN
        return {keyword.arg: again(keyword.value) for keyword in node.keywords}
    if name in ("set", "frozenset", "list", "tuple") and not node.keywords and len(node.args) <= 1:
        if not node.args:
            return {"set": frozenset(), "frozenset": frozenset(), "list": [], "tuple": ()}[name]
        items = again(node.args[0])
        if items is UNKNOWN or not isinstance(items, (list, tuple, frozenset, str)):
            return UNKNOWN
        if name in ("set", "frozenset"):
            return UNKNOWN if any(v is UNKNOWN for v in items) else frozenset(items)
        return list(items) if name == "list" else tuple(items)
    return UNKNOWN


def _is_builtin(name_node: nodes.Name) -> bool:
    try:
        scope, _ = name_node.lookup(name_node.name)
    except Exception:
        return False
    return isinstance(scope, nodes.Module) and scope.name == "builtins"


def _name_value(node: nodes.Name, defaults, bindings, depth):
    try:
        _, assignments = node.lookup(node.name)
    except Exception:
        return UNKNOWN
    if len(assignments) == 1 and isinstance(assignments[0], nodes.ImportFrom):  # ``from config import TAGS``
        from hublint.source import project

        assignments = project.imported_value(assignments[0], node.name)
    return _bound_value(assignments, defaults, bindings, depth)


def _bound_value(assignments, defaults, bindings, depth):
    """The one value every binding of a name gives it (``AssignName``s), else UNKNOWN."""
    if not assignments:
        return UNKNOWN
    values = []
    for assignment in assignments:
        if not isinstance(assignment, nodes.AssignName):
            return UNKNOWN
        parent = assignment.parent
        if isinstance(parent, nodes.Arguments):
            value = _parameter_value(parent, assignment.name, defaults, bindings, depth)
        elif isinstance(parent, (nodes.Assign, nodes.AnnAssign)) and parent.value is not None:
            value = evaluate(parent.value, defaults, bindings, depth + 1)
            if isinstance(value, (list, dict)) and _mutated(assignment):
                return UNKNOWN  # ``tags_and_args = []`` then ``tags_and_args.append(...)``
        else:  # for-loop targets, tuple unpacking, ``with ... as``: not a single constant
            return UNKNOWN
        if value is UNKNOWN:
            return UNKNOWN
        values.append(value)
    first = values[0]
    return first if all(_same(first, other) for other in values[1:]) else UNKNOWN


# Methods that change a list or dict in place.
_MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "popitem", "sort", "reverse"})


def _mutated(assignment: nodes.AssignName) -> bool:
    """Whether the list / dict bound by ``assignment`` is changed after it is built, in the same scope."""
    name = assignment.name
    scope = assignment.scope()
    for node in scope.nodes_of_class((nodes.Call, nodes.AugAssign, nodes.AssignAttr, nodes.Subscript, nodes.Delete)):
        if isinstance(node, nodes.Call):
            func = node.func
            if isinstance(func, nodes.Attribute) and func.attrname in _MUTATORS and _is_name(func.expr, name):
                return True
        elif isinstance(node, nodes.AugAssign):
            if _is_name(node.target, name):
                return True
        elif isinstance(node, nodes.Subscript):
            if _is_name(node.value, name) and node.ctx is not None and node.ctx.name != "Load":
                return True
    return False


def _is_name(node, name: str) -> bool:
    return isinstance(node, (nodes.Name, nodes.AssignName)) and node.name == name


def _same(a, b) -> bool:
    try:
        return type(a) is type(b) and a == b
    except Exception:
        return False


def _parameter_value(arguments: nodes.Arguments, name: str, defaults, bindings, depth):
    function = arguments.parent
    if bindings and bindings[0] is function and name in bindings[1]:
        return evaluate(bindings[1][name], defaults, (), depth + 1)
    if not defaults:
        return UNKNOWN
    try:
        default = arguments.default_value(name)
    except Exception:  # astroid.NoDefault: a parameter without default has no value here
        return UNKNOWN
    return evaluate(default, defaults, bindings, depth + 1)


def bind_call(call: nodes.Call, function: nodes.FunctionDef, skip_first: bool = False) -> Bindings:
    """The arguments ``call`` passes to the parameters of ``function`` (plain positional and keyword ones).

    ``skip_first``: the call is ``self.method(...)``, which does not pass the first parameter.
    """
    names = [arg.name for arg in (function.args.posonlyargs or []) + (function.args.args or [])]
    names = names[1:] if skip_first else names
    bound: dict[str, nodes.NodeNG] = {}
    for index, arg in enumerate(call.args):
        if isinstance(arg, nodes.Starred) or index >= len(names):
            break
        bound[names[index]] = arg
    for keyword in call.keywords or ():
        if keyword.arg is not None:
            bound[keyword.arg] = keyword.value
    return (function, bound) if bound else ()
