"""Resolve once what one Python file does with TensorFlow and TF Hub: the facts source rules judge.

:func:`collect` walks the astroid tree once and returns :class:`SourceFacts`:

- every call whose callee resolves to a canonical name (:mod:`hublint.source.names`),
  with its arguments (astroid nodes; constant values are computed on demand),
  where it is, the function it is in, and the ``arg_scope`` defaults that apply to it;
- the ``hub.create_module_spec`` calls, the module functions they are given,
  their ``tags_and_args`` tag sets and ``drop_collections``;
- the module code: module functions plus the functions of this file they reach;
- every ``slim.arg_scope`` declaration.

It works on any astroid tree, the one hublint parses and the one pylint builds.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Iterator, Mapping, NamedTuple

from astroid import nodes

from hublint.finding import Location
from hublint.source import ops
from hublint.source.names import Names, api_version, canonical, parameter_of
from hublint.source.values import UNKNOWN, Bindings, bind_call, evaluate

_FUNCTIONS = (nodes.FunctionDef, nodes.AsyncFunctionDef)
# Calls whose function arguments run only on one branch (tf.cond(pred, true_fn, false_fn)).
_BRANCHING_CALLS = ("tf.cond", "tf.case", "tf.switch_case", "slim.smart_cond", "tf.__internal__.smart_cond.smart_cond")


@dataclass(frozen=True, eq=False)
class Argument:
    """One argument expression; its value is computed when a rule asks for it."""

    node: nodes.NodeNG
    bindings: Bindings = ()

    @functools.cached_property
    def value(self):
        """The constant value (:data:`~hublint.source.values.UNKNOWN` if not a constant)."""
        return evaluate(self.node, bindings=self.bindings)

    @functools.cached_property
    def default_value(self):
        """Like :attr:`value`, but a function parameter counts as its default value."""
        return evaluate(self.node, defaults=True, bindings=self.bindings)

    @property
    def is_constant(self) -> bool:
        return self.value is not UNKNOWN

    @functools.cached_property
    def parameter(self) -> str | None:
        """The name of the function parameter this argument is, if it is one (not overridden by a caller)."""
        found = parameter_of(self.node)
        if found is None:
            return None
        function, name = found
        if self.bindings and self.bindings[0] is function and name in self.bindings[1]:
            return None
        return name

    @property
    def text(self) -> str:
        return self.node.as_string()


class Setting(NamedTuple):
    """Where an op gets one of its arguments: the call itself or an enclosing ``arg_scope``."""

    argument: Argument
    from_arg_scope: bool


@dataclass(frozen=True, eq=False)
class ArgScope:
    """One ``slim.arg_scope([ops...], **defaults)`` (or a scope returned by a function of this file)."""

    ops: frozenset[str]
    defaults: Mapping[str, Argument]
    call: nodes.Call
    function: nodes.FunctionDef | None  # the function the ``with`` is in
    star_kwargs: bool = False  # ``arg_scope([...], **params)``: may set any argument

    def rebound(self, bindings: Bindings) -> "ArgScope":
        """This scope with parameters of its function read from a caller's arguments."""
        if not bindings or bindings[0] is not self.function:
            return self
        defaults = {key: Argument(arg.node, bindings) for key, arg in self.defaults.items()}
        return ArgScope(self.ops, defaults, self.call, self.function, self.star_kwargs)


@dataclass(frozen=True, eq=False)
class CallSite:
    """One call of a resolved TensorFlow / TF Hub API."""

    name: str  # canonical: "tf.layers.dense", "slim.conv2d", "keras.layers.Dropout.__call__"
    node: nodes.Call
    args: tuple[Argument, ...]
    keywords: Mapping[str, Argument]
    star_args: bool  # ``*args``: any positional argument may be given
    star_kwargs: bool  # ``**kwargs``: any keyword may be given
    location: Location
    function: nodes.FunctionDef | None  # the innermost enclosing ``def`` (lambdas belong to it)
    api: str  # "v1" / "v2" when called through tf.compat.v1 / v2, else ""
    conditional: bool  # inside an ``if`` / conditional expression / tf.cond branch of its function
    scope_defaults: Mapping[str, Argument]  # what enclosing arg_scopes give this op
    scope_star_kwargs: bool  # an enclosing arg_scope for this op passes ``**params``
    in_module_code: bool
    closed: bool  # no caller outside this file can wrap it in an arg_scope

    def argument(self, param: ops.Param | str, position: int | None = None) -> Argument | None:
        """The argument passed for ``param`` (by keyword, or at its position), or None."""
        if isinstance(param, ops.Param):
            param, position = param.keyword, param.position
        found = self.keywords.get(param)
        if found is None and position is not None and position < len(self.args):
            found = self.args[position]
        return found

    def may_pass(self, param: ops.Param) -> bool:
        """Whether ``*args`` / ``**kwargs`` (of the call or an arg_scope) may hide an argument for ``param``."""
        return self.star_kwargs or self.scope_star_kwargs or (self.star_args and param.position is not None)

    def setting(self, param: ops.Param) -> Setting | None:
        """The argument for ``param`` from the call, else from an enclosing ``arg_scope``."""
        found = self.argument(param)
        if found is not None:
            return Setting(found, False)
        found = self.scope_defaults.get(param.keyword)
        return Setting(found, True) if found is not None else None

    @functools.cached_property
    def text(self) -> str:
        """The callee as written: ``layers.dense``, ``slim.conv2d``, ``dropout_layer``."""
        return self.node.func.as_string()

    @property
    def function_name(self) -> str:
        return self.function.name if self.function is not None else "<module>"


@dataclass(frozen=True, eq=False)
class ModuleSpec:
    """One ``hub.create_module_spec(module_fn, tags_and_args, drop_collections)`` call."""

    call: CallSite
    module_functions: tuple[nodes.FunctionDef, ...]  # empty: module_fn could not be followed
    tag_sets: tuple[frozenset, ...] | None  # None: tags_and_args is not a constant structure
    drop_collections: tuple[str, ...] | None
    parameters_set: frozenset[str]  # module_fn arguments that tags_and_args gives a value


@dataclass(frozen=True, eq=False)
class SourceFacts:
    """Everything the source rules need to know about one file."""

    path: str
    calls: tuple[CallSite, ...]
    arg_scopes: tuple[ArgScope, ...]
    module_specs: tuple[ModuleSpec, ...]
    module_code: frozenset  # FunctionDefs that build a module's graph
    reach: Mapping  # module function -> frozenset of the functions of this file it reaches (itself included)
    scope_in_module_code: frozenset = field(default_factory=frozenset)  # ArgScopes declared in module code
    local_calls: Mapping = field(default_factory=dict)  # FunctionDef of this file -> its call nodes here
    linear_optimizers: frozenset = field(default_factory=frozenset)  # Call nodes of linear-model optimizers

    def named(self, *names: str) -> Iterator[CallSite]:
        """The call sites of any of the canonical ``names``."""
        wanted = set(names)
        return (call for call in self.calls if call.name in wanted)

    def in_scope(self, call: CallSite, config) -> bool:
        """Whether a module-graph rule (HUB102-HUB110) looks at ``call`` under ``config.scope``."""
        return config.scope == "all" or call.in_module_code

    def scope_in_scope(self, scope: ArgScope, config) -> bool:
        return config.scope == "all" or scope in self.scope_in_module_code

    @property
    def builds_hub_modules(self) -> bool:
        return any(True for _ in self.named(*ops.HUB_MODULE_BUILDERS))

    def calls_reached_from(self, spec: ModuleSpec) -> Iterator[CallSite]:
        """The call sites in the module functions of ``spec`` and in what they call."""
        reached: set = set()
        for function in spec.module_functions:
            reached |= self.reach.get(function, frozenset())
        return (call for call in self.calls if call.function in reached)


def collect(tree: nodes.Module, path: str) -> SourceFacts:
    """Resolve the facts of one parsed file (hublint's tree or pylint's)."""
    return _Collector(tree, path).facts()


# -- the walk ---------------------------------------------------------------------------------


class _ScopeFromFunction(NamedTuple):
    """``with slim.arg_scope(my_arg_scope(...)):``: the scope ``my_arg_scope`` returns."""

    function: nodes.FunctionDef
    bindings: Bindings


class _Context(NamedTuple):
    function: nodes.FunctionDef | None
    scopes: tuple  # of ArgScope / _ScopeFromFunction, outermost first
    conditional: bool


class _Reference(NamedTuple):
    target: nodes.FunctionDef
    caller: nodes.FunctionDef | None
    scopes: tuple
    is_call: bool  # ``target(...)``, not the function passed on or used as a value


class _RawCall(NamedTuple):
    node: nodes.Call
    name: str
    dotted: str
    context: _Context


class _Collector:
    def __init__(self, tree: nodes.Module, path: str):
        self.tree = tree
        self.path = path
        self.raw_calls: list[_RawCall] = []
        self.references: list[_Reference] = []
        self.returned_scopes: dict = {}  # FunctionDef -> scopes active at its first ``return`` in a with
        self.declared_scopes: list[ArgScope] = []
        self.names = Names()
        self.function_names: set[str] = set()
        self.name_reads: list[tuple[nodes.Name, _Context]] = []
        self.local_calls: dict = {}

    # One iterative pass over the tree: deep expressions must not exhaust the recursion limit.
    def walk(self) -> None:
        stack: list[tuple[nodes.NodeNG, _Context]] = [(self.tree, _Context(None, (), False))]
        while stack:
            node, context = stack.pop()
            children = self.visit(node, context)
            if children:
                stack.extend(reversed(children))

    def visit(self, node, context: _Context):
        """Record what ``node`` says and return its children with the context they run in."""
        handler = _HANDLERS.get(node.__class__)
        if handler is not None:
            return handler(self, node, context)
        return [(child, context) for child in node.get_children()]

    def visit_name(self, node: nodes.Name, context: _Context):
        self.name_reads.append((node, context))

    def visit_function(self, node, context: _Context):
        self.function_names.add(node.name)
        inner = _Context(node, (), False)
        return [(child, inner) for child in node.get_children()]

    def visit_if(self, node: nodes.If, context: _Context):
        branch = context._replace(conditional=True)
        return [(node.test, context)] + [(child, branch) for child in node.body + node.orelse]

    def visit_ifexp(self, node: nodes.IfExp, context: _Context):
        branch = context._replace(conditional=True)
        return [(node.test, context), (node.body, branch), (node.orelse, branch)]

    def visit_return(self, node: nodes.Return, context: _Context):
        if context.function is not None and context.scopes:
            self.returned_scopes.setdefault(context.function, context.scopes)
        return [(child, context) for child in node.get_children()]

    def find_references(self) -> None:
        """Record where the functions of this file are named (called, or passed on as a callable)."""
        for node, context in self.name_reads:
            if node.name in self.function_names:
                target = self.names.local_definition(node)
                if target is not None:
                    is_call = isinstance(node.parent, nodes.Call) and node.parent.func is node
                    self.references.append(_Reference(target, context.function, context.scopes, is_call))
                    if is_call:
                        self.local_calls.setdefault(target, []).append(node.parent)

    def visit_call(self, node: nodes.Call, context: _Context):
        dotted = None
        name = None
        if isinstance(node.func, (nodes.Name, nodes.Attribute)):
            dotted = self.names.qualified_name(node.func)
            name = canonical(dotted) if dotted else None
        if name is None:
            name = self.layer_application(node.func)
            dotted = name or ""
        if name is not None:
            self.raw_calls.append(_RawCall(node, name, dotted, context))
        children = [(node.func, context)]
        arguments = [*node.args, *(keyword.value for keyword in node.keywords or ())]
        branch = context._replace(conditional=True) if name in _BRANCHING_CALLS else context
        children += [(argument, branch) for argument in arguments]
        return children

    def visit_with(self, node: nodes.With, context: _Context):
        children = []
        scopes = context.scopes
        for expr, variables in node.items:
            children.append((expr, context))
            if variables is not None:
                children.append((variables, context))
            scope = self.arg_scope_of(expr, context)
            if scope is not None:
                scopes = scopes + (scope,)
        inner = context._replace(scopes=scopes)
        children += [(child, inner) for child in node.body]
        return children

    def arg_scope_of(self, expr, context: _Context):
        if not isinstance(expr, nodes.Call) or self.names.resolve(expr.func) != ops.ARG_SCOPE:
            return None
        first = expr.args[0] if expr.args else None
        keywords = {}
        star_kwargs = False
        for keyword in expr.keywords or ():
            if keyword.arg == "list_ops_or_scope":
                first = keyword.value
            elif keyword.arg is not None:
                keywords[keyword.arg] = Argument(keyword.value)
            else:
                star_kwargs = True
        if isinstance(first, (nodes.List, nodes.Tuple)):
            names = frozenset(name for name in map(self.names.resolve, first.elts) if name)
            scope = ArgScope(names, keywords, expr, context.function, star_kwargs)
            self.declared_scopes.append(scope)
            return scope
        return self.scope_function(first)

    # -- after the walk --------------------------------------------------------------------
    def facts(self) -> SourceFacts:
        self.walk()
        self.find_references()
        callees: dict = {}
        callers: dict = {}
        for reference in self.references:
            callees.setdefault(reference.caller, set()).add(reference.target)
            callers.setdefault(reference.target, []).append(reference)
        specs_raw = [raw for raw in self.raw_calls if raw.name == ops.CREATE_MODULE_SPEC]
        roots: set = set()
        spec_roots = []
        for raw in specs_raw:
            module_fn = _argument_node(raw.node, "module_fn", 0)
            found = tuple(dict.fromkeys(self.module_functions(module_fn, 0)))
            spec_roots.append(found)
            roots.update(found)
        reach = {function: _reachable(function, callees) for function in roots}
        module_code: set = set()
        for root in roots:
            module_code |= reach[root]
        closed = _closed_functions(roots, callers)
        inherited = _InheritedScopes(callers, self.returned_scopes)

        calls = []
        by_node = {}
        for raw in self.raw_calls:
            layers = inherited.layers(raw.context.function) + inherited.resolve(raw.context.scopes)
            function = raw.context.function
            call = self.call_site(raw, layers, function in module_code, function is None or function in closed)
            calls.append(call)
            by_node[raw.node] = call
        specs = tuple(
            _module_spec(by_node[raw.node], found) for raw, found in zip(specs_raw, spec_roots)
        )
        declared_in_module = frozenset(scope for scope in self.declared_scopes if scope.function in module_code)

        return SourceFacts(
            path=self.path,
            calls=tuple(calls),
            arg_scopes=tuple(self.declared_scopes),
            module_specs=specs,
            module_code=frozenset(module_code),
            reach=reach,
            scope_in_module_code=declared_in_module,
            local_calls={function: tuple(found) for function, found in self.local_calls.items()},
            linear_optimizers=frozenset(self.linear_optimizers(calls)),
        )

    def linear_optimizers(self, calls):
        """Optimizer calls given to the linear part of wide / wide-and-deep estimators."""
        for call in calls:
            keyword = ops.LINEAR_OPTIMIZER_ARGUMENT.get(call.name)
            argument = call.keywords.get(keyword) if keyword else None
            if argument is None:
                continue
            expr = argument.node
            if isinstance(expr, nodes.Name):
                expr = self.names.assigned_value(expr)
            if isinstance(expr, nodes.Lambda):
                expr = expr.body
            if isinstance(expr, nodes.Call):
                yield expr

    def call_site(self, raw: _RawCall, layers, in_module_code: bool, closed: bool) -> CallSite:
        node = raw.node
        args = []
        star_args = False
        for arg in node.args:
            if isinstance(arg, nodes.Starred):
                star_args = True
                break  # positions after *args are unknown
            args.append(Argument(arg))
        keywords = {}
        star_kwargs = False
        for keyword in node.keywords or ():
            if keyword.arg is None:
                star_kwargs = True
            else:
                keywords[keyword.arg] = Argument(keyword.value)
        defaults: dict = {}
        scope_star_kwargs = False
        for layer in layers:
            if raw.name in layer.ops:
                defaults.update(layer.defaults)
                scope_star_kwargs = scope_star_kwargs or layer.star_kwargs
        return CallSite(
            name=raw.name,
            node=node,
            args=tuple(args),
            keywords=keywords,
            star_args=star_args,
            star_kwargs=star_kwargs,
            location=location_of(node, self.path),
            function=raw.context.function,
            api=api_version(raw.dotted),
            conditional=raw.context.conditional,
            scope_defaults=defaults,
            scope_star_kwargs=scope_star_kwargs,
            in_module_code=in_module_code,
            closed=closed,
        )


    def layer_application(self, func: nodes.NodeNG) -> str | None:
        """``Dropout(0.5)(x)``, ``layer(x)`` or ``layer.apply(x)`` of a TF / Keras layer: ``<class>.__call__``."""
        target = func
        if isinstance(func, nodes.Attribute) and func.attrname in ("apply", "__call__"):
            target = func.expr
        if isinstance(target, nodes.Name):
            target = self.names.assigned_value(target)
        if not isinstance(target, nodes.Call):
            return None
        cls = self.names.resolve(target.func)
        if cls is None or not cls.rsplit(".", 1)[-1][:1].isupper():
            return None
        if not cls.startswith(("tf.", "keras.", "slim.")):
            return None
        return cls + ".__call__"

    def module_functions(self, expr, depth: int):
        """The functions of this file that a ``module_fn`` expression stands for."""
        if expr is None or depth > 6:
            return
        if isinstance(expr, nodes.Name):
            function = self.names.local_definition(expr)
            if function is not None:
                yield function
            else:
                yield from self.module_functions(self.names.assigned_value(expr), depth + 1)
        elif isinstance(expr, nodes.Call) and self.names.resolve(expr.func) == "functools.partial" and expr.args:
            yield from self.module_functions(expr.args[0], depth + 1)
        elif isinstance(expr, nodes.Lambda):
            for name in expr.body.nodes_of_class(nodes.Name):
                function = self.names.local_definition(name)
                if function is not None:
                    yield function

    def scope_function(self, expr):
        """``my_arg_scope(...)`` or a name bound to it, as a scope to resolve after the walk."""
        if isinstance(expr, nodes.Name):
            expr = self.names.assigned_value(expr)
        if isinstance(expr, nodes.Call) and isinstance(expr.func, nodes.Name):
            function = self.names.local_definition(expr.func)
            if function is not None:
                return _ScopeFromFunction(function, bind_call(expr, function))
        return None


_HANDLERS = {
    nodes.Name: _Collector.visit_name,
    nodes.FunctionDef: _Collector.visit_function,
    nodes.AsyncFunctionDef: _Collector.visit_function,
    nodes.If: _Collector.visit_if,
    nodes.IfExp: _Collector.visit_ifexp,
    nodes.With: _Collector.visit_with,
    nodes.Call: _Collector.visit_call,
    nodes.Return: _Collector.visit_return,
}


def location_of(node: nodes.NodeNG, path: str) -> Location:
    """The 1-based location of ``node`` in ``path``."""
    return Location(
        path=path,
        line=node.lineno or 0,
        column=(node.col_offset or 0) + 1,
        end_line=node.end_lineno or 0,
        end_column=(node.end_col_offset or 0) + 1 if node.end_col_offset is not None else 0,
    )


def _argument_node(call: nodes.Call, keyword: str, position: int):
    for item in call.keywords or ():
        if item.arg == keyword:
            return item.value
    if position < len(call.args) and not isinstance(call.args[position], nodes.Starred):
        return call.args[position]
    return None


def _reachable(function, callees) -> frozenset:
    seen = {function}
    todo = [function]
    while todo:
        for callee in callees.get(todo.pop(), ()):
            if callee not in seen:
                seen.add(callee)
                todo.append(callee)
    return frozenset(seen)


def _closed_functions(roots, callers) -> set:
    """Functions no code outside this file can call inside an arg_scope of its own.

    Module functions are called by TF Hub; any other function is closed when it
    is called, and only from module level or from closed functions, and never
    used as a value (which may reach code that calls it anywhere).
    """
    closed = set(roots)
    changed = True
    while changed:
        changed = False
        for target, references in callers.items():
            if target in closed:
                continue
            if all(ref.is_call and (ref.caller is None or ref.caller in closed) for ref in references):
                closed.add(target)
                changed = True
    return closed


class _InheritedScopes:
    """The arg_scopes a function's body runs in because its callers in this file call it inside them."""

    def __init__(self, callers, returned_scopes):
        self.callers = callers
        self.returned_scopes = returned_scopes
        self.memo: dict = {}

    def layers(self, function) -> tuple:
        if function is None:
            return ()
        if function in self.memo:
            return self.memo[function]
        self.memo[function] = ()  # recursion in the call graph adds nothing
        found: list = []
        for reference in self.callers.get(function, ()):
            if reference.caller is function:
                continue
            found.extend(self.layers(reference.caller) + self.resolve(reference.scopes))
        self.memo[function] = tuple(found)
        return self.memo[function]

    def resolve(self, scopes, depth: int = 0) -> tuple:
        layers: list = []
        for scope in scopes:
            if isinstance(scope, ArgScope):
                layers.append(scope)
            elif depth < 6:
                returned = self.returned_scopes.get(scope.function, ())
                layers.extend(layer.rebound(scope.bindings) for layer in self.resolve(returned, depth + 1))
        return tuple(layers)


def _module_spec(call: CallSite, module_functions) -> ModuleSpec:
    tags_and_args = call.argument("tags_and_args", 1)
    if tags_and_args is None:
        tag_sets, parameters = (frozenset(),), frozenset()
    else:
        tag_sets, parameters = _tag_sets(tags_and_args.value)
    drop = call.argument("drop_collections", 2)
    drop_collections = None
    if drop is not None and isinstance(drop.value, (list, tuple)) and UNKNOWN not in drop.value:
        drop_collections = tuple(str(item) for item in drop.value)
    return ModuleSpec(call, tuple(module_functions), tag_sets, drop_collections, parameters)


def _tag_sets(value):
    """``[(set(), {...}), ({"train"}, {...})]`` as tag sets and the argument names the dicts set."""
    if not isinstance(value, (list, tuple)):
        return None, frozenset()
    tag_sets = []
    parameters: set = set()
    for entry in value:
        if not isinstance(entry, (list, tuple)) or len(entry) != 2:
            return None, frozenset()
        tags, arguments = entry
        if isinstance(tags, (list, tuple)) and UNKNOWN not in tags:
            tags = frozenset(tags)
        if not isinstance(tags, frozenset):
            return None, frozenset()
        tag_sets.append(tags)
        if isinstance(arguments, dict):
            parameters.update(str(key) for key in arguments)
    return tuple(tag_sets), frozenset(parameters)
