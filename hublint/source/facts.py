"""Resolve once what one Python file does with TensorFlow and TF Hub: the facts source rules judge.

:func:`collect` walks the astroid tree once and returns :class:`SourceFacts`:

- every call whose callee resolves to a canonical name (:mod:`hublint.source.names`),
  with its arguments (astroid nodes; constant values are computed on demand),
  where it is, the function it is in, and the ``arg_scope`` defaults that apply to it;
- the ``hub.create_module_spec`` calls, the module functions they are given,
  their ``tags_and_args`` tag sets and ``drop_collections``.  A ``module_fn`` is
  followed through names, methods (``self._fn``), factories of this file (what
  ``make_module_fn(10)`` returns), ``functools.partial`` (whose bound arguments
  can make an ``if`` branch dead), lambdas and the callers of an export helper;
  what cannot be followed is kept with the reason (HUB004);
- the module code: module functions plus the functions and methods of this
  file they reach; calls run on one branch when their callers call them on one
  (``if is_training: helper(x)``, ``tf.cond(flag, fn, ...)``, after
  ``if not is_training: return``);
- every ``slim.arg_scope`` declaration; scopes returned by functions of this
  file, of other project files and of tf-slim's source (read through
  :mod:`hublint.source.project`; a small catalogue in :mod:`hublint.source.ops`
  covers tf-slim / TF-Models nets arg-scope functions when their source is not
  at hand), ``tf.variable_scope(regularizer=...)``, and scopes that cannot be
  read (opaque: they may set anything on tf-slim ops);
- in a file that builds hub modules, the functions of other project files that
  its module code calls: their files are walked like this one (at most
  :data:`MAX_OTHER_FILES`), and their calls count where module code reaches them.

It works on any astroid tree, the one hublint parses and the one pylint builds.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Iterator, Mapping, NamedTuple

from astroid import nodes

from hublint.finding import Location
from hublint.source import ops, project
from hublint.source.names import Names, api_version, canonical, parameter_of
from hublint.source.values import UNKNOWN, Bindings, bind_call, evaluate

_FUNCTIONS = (nodes.FunctionDef, nodes.AsyncFunctionDef)
# Calls whose function arguments run only on one branch (tf.cond(pred, true_fn, false_fn)).
_BRANCHING_CALLS = (
    "tf.cond", "tf.case", "tf.switch_case", "slim.smart_cond", "slim.utils.smart_cond",
    "tf.__internal__.smart_cond.smart_cond", "keras.backend.in_train_phase", "keras.backend.in_test_phase",
)
# ``tf.variable_scope(name_or_scope, default_name, values, initializer, regularizer, ...)``: its
# regularizer applies to the variables that tf.layers and tf-slim layers create through get_variable.
_VARIABLE_SCOPE = "tf.variable_scope"
_VARIABLE_SCOPE_OPS = frozenset(name for name in ops.WEIGHT_LAYERS if name.startswith(("tf.layers.", "slim.")))
_REGULARIZER_KEYWORDS = frozenset(keyword for keywords in ops.WEIGHT_LAYERS.values() for keyword in keywords)
# How deep module_fn expressions are followed through names, factories, partials and callers.
_MAX_FOLLOW = 6
# How many other files (project files and tf-slim sources) one linted file's facts read.
MAX_OTHER_FILES = 32


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
    opaque: bool = False  # ``arg_scope(scope_from_elsewhere())``: may set any argument of any tf-slim op

    def applies_to(self, name: str) -> bool:
        return name in self.ops or (self.opaque and name.startswith("slim."))

    def rebound(self, bindings: Bindings) -> "ArgScope":
        """This scope with parameters of its function read from a caller's arguments."""
        if not bindings or bindings[0] is not self.function:
            return self
        defaults = {key: Argument(arg.node, bindings) for key, arg in self.defaults.items()}
        return ArgScope(self.ops, defaults, self.call, self.function, self.star_kwargs, self.opaque)


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
    not_followed: str = ""  # why module_fn could not be followed (when module_functions is empty)
    entries: tuple = ()  # ((tag set, {argument: value node}) ...) when tags_and_args is written out


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
    # (call node, function it is in, callee text, module it comes from ("": a callee computed at run time),
    # why its import cannot be followed ("": the file is not found)) in module code
    unfollowed_calls: tuple = ()
    unfollowed_scopes: tuple = ()  # (arg_scope call node, function it is in) of scopes hublint cannot read, in module code
    entries: Mapping = field(default_factory=dict)  # path of another file read -> the node here that reaches it
    imports: tuple = ()  # what this file imports, as project.imported_files reads it

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
    call: nodes.Call


class _Context(NamedTuple):
    function: nodes.FunctionDef | None
    scopes: tuple  # of ArgScope / _ScopeFromFunction, outermost first
    conditional: bool
    other_file: object = None  # the project.SourceModule of another file: judged only where module code reaches it


class _Reference(NamedTuple):
    target: nodes.FunctionDef
    caller: nodes.FunctionDef | None
    scopes: tuple
    is_call: bool  # ``target(...)``, not the function passed on or used as a value
    conditional: bool  # on one branch of its caller (``if is_training: helper(x)``, a tf.cond branch)


class _RawCall(NamedTuple):
    node: nodes.Call
    name: str
    dotted: str
    context: _Context
    partial: nodes.Call | None = None  # ``dense = functools.partial(tf.layers.dense, ...)``; ``dense(x)``


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
        self.attribute_reads: list[tuple[nodes.Attribute, _Context]] = []
        self.method_names: set[str] = set()
        self.local_calls: dict = {}
        self.unresolved_calls: list = []
        self.with_names: dict = {}  # (FunctionDef, name) -> scopes active inside ``with ... as name``
        self.imported_names: set[str] = set()  # names bound by imports in the files walked
        self.imports: list = []  # what this file imports: (module, level, optional) for project.imported_files
        self.other_trees: dict = {}  # id(tree) of another file walked -> (project.SourceModule, node that reached it)
        self.followed: set = set()  # id of Name / Attribute nodes that resolved into another file
        self.not_followed: dict = {}  # id of Name / Attribute node -> why its import cannot be followed
        self.dynamic_calls: list = []  # (call node, function) whose callee is computed: ``nets[name](x)``
        self.reads_done = (0, 0)  # name_reads / attribute_reads already given to find_references
        self.follows_imports = False  # only a file that builds hub modules reads other files' code

    # One iterative pass over the tree: deep expressions must not exhaust the recursion limit.
    def walk(self, tree=None, other_file=None) -> None:
        stack: list[tuple[nodes.NodeNG, _Context]] = [(tree or self.tree, _Context(None, (), False, other_file))]
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

    def visit_attribute(self, node: nodes.Attribute, context: _Context):
        if node.expr.__class__ is nodes.Name or node.expr.__class__ is nodes.Call:
            self.attribute_reads.append((node, context))
        return [(node.expr, context)]

    def visit_import(self, node, context: _Context):
        for imported, alias in node.names:
            if imported != "*":
                self.imported_names.add(alias or imported.split(".")[0])
        if context.other_file is None:
            self.imports.extend(project.imports_of(node))

    def visit_function(self, node, context: _Context):
        self.function_names.add(node.name)
        if isinstance(node.parent, nodes.ClassDef):
            self.method_names.add(node.name)
        inner = _Context(node, (), False, context.other_file)
        body = set(map(id, node.body))
        return [(child, inner) for child in node.get_children() if id(child) not in body] + _sequence(node.body, inner)

    def visit_if(self, node: nodes.If, context: _Context):
        branch = context._replace(conditional=True)
        return [(node.test, context)] + _sequence(node.body, branch) + _sequence(node.orelse, branch)

    def visit_ifexp(self, node: nodes.IfExp, context: _Context):
        branch = context._replace(conditional=True)
        return [(node.test, context), (node.body, branch), (node.orelse, branch)]

    def visit_return(self, node: nodes.Return, context: _Context):
        if context.function is not None:
            scopes = context.scopes
            if isinstance(node.value, nodes.Name):  # ``with slim.arg_scope(...) as sc: ...`` then ``return sc``
                scopes = self.with_names.get((context.function, node.value.name), scopes)
            elif isinstance(node.value, nodes.Call) and "scope" in node.value.func.as_string():
                # ``return inception_v3.inception_v3_arg_scope(weight_decay=...)``: a scope function's scope
                returned = self.scope_function(node.value) or self.known_library_scope(node.value, context)
                if returned is not None:
                    scopes = scopes + (returned,)
            if scopes:
                self.returned_scopes.setdefault(context.function, scopes)
        return [(child, context) for child in node.get_children()]

    def find_references(self) -> None:
        """Record where the functions of this file are named (called, or passed on as a callable), and,
        in a file that builds hub modules, the functions of other project files it imports."""
        while self.reads_done != (len(self.name_reads), len(self.attribute_reads)):
            names_done, attributes_done = self.reads_done
            self.reads_done = (len(self.name_reads), len(self.attribute_reads))
            for node, context in self.name_reads[names_done:]:
                if node.name in self.function_names:
                    target = self.names.local_definition(node)
                    if target is not None:
                        self.add_reference(node, target, context)
                        continue
                if node.name in self.imported_names and self.follows_from(context):
                    self.add_reference(node, self.other_definition(node), context)
            for node, context in self.attribute_reads[attributes_done:]:
                if node.attrname in self.method_names:
                    target = self.method_of(node)
                    if target is not None:
                        self.add_reference(node, target, context)
                        continue
                if node.expr.__class__ is nodes.Name and node.expr.name in self.imported_names and self.follows_from(context):
                    self.add_reference(node, self.other_definition(node), context)

    def follows_from(self, context: _Context) -> bool:
        """Whether imports read here are followed: in functions of a file that builds hub modules or of
        the project files it reads, never in a library's source (read only for its arg scopes)."""
        if not self.follows_imports or context.function is None:
            return False
        return context.other_file is None or not context.other_file.library

    def other_definition(self, expr):
        """The function of another project file that an imported name (or ``module.name``) stands for,
        its file walked like this one; None (with the reason kept for HUB004) when it cannot be followed."""
        found = project.definition(expr)
        if found is None:
            return None
        if isinstance(found, project.Unresolved):
            if not found.missing:  # a file that is not there is said plainly: "another file hublint does not read"
                self.not_followed[id(expr)] = found.reason
            return None
        if found.module.library:
            return None  # a library's network: its ops are not the publisher's module code
        if not self.read_other_file(found.module, expr):
            self.not_followed[id(expr)] = f"more than {MAX_OTHER_FILES} other files would have to be read"
            return None
        self.followed.add(id(expr))
        return found.function

    def read_other_file(self, module, entry: nodes.NodeNG) -> bool:
        """Walk another file's tree once (False when the bound on files read is reached); ``entry``
        is the node that first reached it."""
        key = id(module.tree)
        if key in self.other_trees:
            return True
        if len(self.other_trees) >= MAX_OTHER_FILES:
            return False
        self.other_trees[key] = (module, entry)
        self.walk(module.tree, other_file=module)
        return True

    def entries(self) -> dict:
        """For each other file walked: the node of the linted file through which it was first reached."""
        found = {}
        for module, entry in self.other_trees.values():
            node, hops = entry, 0
            while node.root() is not self.tree and id(node.root()) in self.other_trees and hops <= MAX_OTHER_FILES:
                node, hops = self.other_trees[id(node.root())][1], hops + 1
            if isinstance(node.parent, nodes.Call) and node.parent.func is node:
                node = node.parent  # the call ``tower(x)``, not the name ``tower``
            found[module.display(self.path)] = node
        return found

    def _caller_decides(self, func, owner, parameter: str, function, roots) -> bool:
        """Whether a call of parameter ``parameter`` of ``owner`` (or of its method) in ``function`` runs
        code only ``owner``'s callers choose, so that not following it is worth saying:

        - a callback handed to TensorFlow (``custom_getter=ema_getter``: ``getter(name, ...)``) is
          not: nothing in the file calls ``owner`` and it is not a module function;
        - a method of an object every caller here builds with a call (``model =
          modeling.BertModel(...)``; ``get_mlm_logits(model)``) is not: the object is judged, or
          said not followed, where it is built.
        """
        callers = self.local_calls.get(owner, ())
        if owner is function and not callers and owner not in roots:
            return False
        if isinstance(func, nodes.Attribute) and callers:
            bound = [bind_call(call, owner, skip_first=is_method_call(call, owner)) for call in callers]
            values = [b[1].get(parameter) if b else None for b in bound]
            values = [self.names.assigned_value(v) or v if isinstance(v, nodes.Name) else v for v in values]
            if values and all(isinstance(v, nodes.Call) for v in values):
                return False
        return True

    def add_reference(self, node, target, context: _Context) -> None:
        if target is None:
            return
        is_call = isinstance(node.parent, nodes.Call) and node.parent.func is node
        self.references.append(_Reference(target, context.function, context.scopes, is_call, context.conditional))
        if is_call:
            self.local_calls.setdefault(target, []).append(node.parent)

    def method_of(self, node: nodes.Attribute):
        """The method of a class of this file that ``self.name`` (or ``cls.name``) names in a method, or
        ``Writer().name`` / ``writer.name`` after ``writer = Writer()`` names for an instance."""
        instance = node.expr
        if isinstance(instance, nodes.Name) and instance.name not in ("self", "cls"):
            instance = self.names.assigned_value(instance) or instance
        if isinstance(instance, nodes.Call) and isinstance(instance.func, nodes.Name):
            found = self.names.lookup(instance.func, instance.func.name)
            if len(found) == 1 and isinstance(found[0], nodes.ClassDef):
                return self.class_member(found[0], node.attrname, 0)
            return None
        found = parameter_of(node.expr)
        if found is None:
            return None
        method, name = found
        arguments = method.args.posonlyargs + method.args.args if isinstance(method, _FUNCTIONS) else []
        if not arguments or arguments[0].name != name or not isinstance(method.parent, nodes.ClassDef):
            return None
        return self.class_member(method.parent, node.attrname, 0)

    def class_member(self, cls: nodes.ClassDef, name: str, depth: int):
        for member in cls.locals.get(name, ()):
            return member if isinstance(member, _FUNCTIONS) else None
        for base in cls.bases if depth < _MAX_FOLLOW else ():
            if isinstance(base, nodes.Name):
                found = self.names.lookup(base, base.name)
                if len(found) == 1 and isinstance(found[0], nodes.ClassDef):
                    member = self.class_member(found[0], name, depth + 1)
                    if member is not None:
                        return member
        return None

    def visit_call(self, node: nodes.Call, context: _Context):
        dotted = None
        name = None
        if isinstance(node.func, (nodes.Name, nodes.Attribute)):
            dotted = self.names.qualified_name(node.func)
            name = canonical(dotted) if dotted else None
        partial = None
        if name is None:
            name = self.layer_application(node.func)
            dotted = name or ""
        if name is None and isinstance(node.func, nodes.Name):
            partial, name, dotted = self.partial_of(node.func)
        if name is not None:
            self.raw_calls.append(_RawCall(node, name, dotted, context, partial))
        elif context.function is not None and isinstance(node.func, (nodes.Name, nodes.Attribute)):
            self.unresolved_calls.append((node, context.function))  # a relative import, a local, a method...
        elif context.function is not None and _computed_callee(node.func):
            self.dynamic_calls.append((node, context.function))
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
            if isinstance(variables, nodes.AssignName) and context.function is not None:
                self.with_names[(context.function, variables.name)] = scopes
        inner = context._replace(scopes=scopes)
        children += _sequence(node.body, inner)
        return children

    def arg_scope_of(self, expr, context: _Context):
        if not isinstance(expr, nodes.Call):
            return None
        callee = self.names.resolve(expr.func)
        if callee == _VARIABLE_SCOPE:
            return self.variable_scope_of(expr, context)
        if callee != ops.ARG_SCOPE:
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
        if isinstance(first, nodes.Name):  # ``WEIGHT_OPS = [slim.conv2d, ...]``
            value = self.names.assigned_value(first)
            if isinstance(value, (nodes.List, nodes.Tuple)):
                first = value
        if isinstance(first, (nodes.List, nodes.Tuple)):
            names = frozenset(name for name in map(self.names.resolve, first.elts) if name)
            scope = ArgScope(names, keywords, expr, context.function, star_kwargs)
            self.declared_scopes.append(scope)
            return scope
        return self.scope_function(first) or self.library_scope(first, expr, context)

    def known_library_scope(self, expr: nodes.Call, context: _Context) -> ArgScope | None:
        """The catalogued library scope ``expr`` calls, or None (not opaque: it may be no scope at all)."""
        found = self.library_scope(expr, expr, context)
        return None if found.opaque else found

    def library_scope(self, expr, arg_scope: nodes.Call, context: _Context) -> ArgScope:
        """The scope of a library's arg-scope function (``inception_v3_arg_scope()``) from the
        catalogue; any other scope hublint cannot read is opaque: it may set anything."""
        if isinstance(expr, nodes.Name):
            expr = self.names.assigned_value(expr) or expr
        if isinstance(expr, nodes.Call):
            name = self.names.resolve(expr.func) or ""
            covered = ops.library_arg_scope(name)
            if covered is not None:
                decay = _argument_node(expr, "weight_decay", 0)
                if decay is not None and evaluate(decay) == 0:
                    return ArgScope(frozenset(), {}, arg_scope, context.function)  # l2_regularizer(0.0) is none
                regularizer = Argument(expr)
                return ArgScope(frozenset(covered), {"weights_regularizer": regularizer}, arg_scope, context.function)
        return ArgScope(frozenset(), {}, arg_scope, context.function, opaque=True)

    def variable_scope_of(self, expr: nodes.Call, context: _Context):
        """``tf.variable_scope(..., regularizer=r)`` as a scope that regularizes tf.layers / slim kernels."""
        regularizer = _argument_node(expr, "regularizer", 4)
        if regularizer is None:
            return None
        argument = Argument(regularizer)
        defaults = {keyword: argument for keyword in _REGULARIZER_KEYWORDS}
        return ArgScope(_VARIABLE_SCOPE_OPS, defaults, expr, context.function)

    # -- after the walk --------------------------------------------------------------------
    def facts(self) -> SourceFacts:
        self.walk()
        specs_raw = [
            raw for raw in self.raw_calls if raw.name == ops.CREATE_MODULE_SPEC and raw.context.other_file is None
        ]
        self.follows_imports = bool(specs_raw)
        self.find_references()
        roots: set = set()
        spec_roots = []
        root_arguments: dict = {}  # module function -> the arguments partials bind (None: called as is)
        for raw in specs_raw:
            module_fn = _argument_node(raw.node, "module_fn", 0)
            pairs = list(self.module_functions(module_fn, 0))
            found = tuple(dict.fromkeys(function for function, _ in pairs))
            spec_roots.append((found, "" if found else self.why_not_followed(module_fn)))
            roots.update(found)
            for function, bound in pairs:
                root_arguments.setdefault(function, []).append(bound)
        self.find_references()  # in the files of module functions imported from other files
        callees: dict = {}
        callers: dict = {}
        for reference in self.references:
            callees.setdefault(reference.caller, set()).add(reference.target)
            callers.setdefault(reference.target, []).append(reference)
        reach = {function: _reachable(function, callees) for function in roots}
        module_code: set = set()
        for root in roots:
            module_code |= reach[root]
        closed = _closed_functions(roots, callers)
        conditional = _conditional_functions(roots, callers)
        dead = _dead_blocks(root_arguments)
        inherited = _InheritedScopes(callers, self.returned_scopes)

        calls = []
        by_node = {}
        for raw in self.raw_calls:
            function = raw.context.function
            if raw.context.other_file is not None and function not in module_code:
                continue  # another file's code counts only where this file's module code reaches it
            layers = inherited.layers(function) + inherited.resolve(raw.context.scopes)
            live = function in module_code and not (dead and _inside_any(raw.node, dead, function))
            call = self.call_site(raw, layers, live, function is None or function in closed, function in conditional)
            calls.append(call)
            by_node[raw.node] = call
        specs = tuple(
            _module_spec(by_node[raw.node], found, why) for raw, (found, why) in zip(specs_raw, spec_roots)
        )
        declared = tuple(
            scope for scope in self.declared_scopes
            if scope.function in module_code or not self.other_trees or scope.call.root() is self.tree
        )
        declared_in_module = frozenset(scope for scope in declared if scope.function in module_code)
        in_module_code = [(raw.node, raw.context.function) for raw in self.raw_calls if raw.context.function in module_code]
        in_module_code += [(node, function) for node, function in self.unresolved_calls if function in module_code]
        in_module_code = [(node, function) for node, function in in_module_code if id(node.func) not in self.followed]
        opaque_scopes = tuple(
            (scope.call, scope.function)
            for scope in dict.fromkeys(
                layer for raw in self.raw_calls for layer in inherited.resolve(raw.context.scopes) if layer.opaque
            )
            if scope.function in module_code
        )
        unfollowed = [
            (node, function, node.func.as_string(), source, self.not_followed.get(id(node.func), ""))
            for node, function in in_module_code
            for source in (self.names.project_import(node.func),)
            if source is not None
        ]
        unfollowed += [
            (node, function, node.func.as_string(), "", "") for node, function in self.dynamic_calls if function in module_code
        ]
        unfollowed += [
            (node, function, node.func.as_string(), "", f"{parameter} is a parameter of {owner.name}")
            for node, function in in_module_code
            for owner, parameter in (_callee_parameter(node.func) or (None, None),)
            if owner is not None and self._caller_decides(node.func, owner, parameter, function, roots)
        ]
        unfollowed.sort(key=lambda item: (item[0].root().file or "", item[0].lineno or 0, item[0].col_offset or 0))

        return SourceFacts(
            path=self.path,
            calls=tuple(calls),
            arg_scopes=declared,
            module_specs=specs,
            module_code=frozenset(module_code),
            reach=reach,
            scope_in_module_code=declared_in_module,
            local_calls={function: tuple(found) for function, found in self.local_calls.items()},
            linear_optimizers=frozenset(self.linear_optimizers(calls)),
            unfollowed_calls=tuple(unfollowed),
            unfollowed_scopes=opaque_scopes,
            entries=self.entries(),
            imports=tuple(dict.fromkeys(self.imports)),
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

    def call_site(self, raw: _RawCall, layers, in_module_code: bool, closed: bool, conditional: bool) -> CallSite:
        node = raw.node
        args = []
        star_args = False
        keywords = {}
        star_kwargs = False
        # ``functools.partial(op, *bound, **bound_keywords)(*args, **keywords)``: op(*bound, *args, ...).
        given_args = [*raw.partial.args[1:], *node.args] if raw.partial is not None else node.args
        given_keywords = [*(raw.partial.keywords or ()), *(node.keywords or ())] if raw.partial is not None else node.keywords
        for arg in given_args:
            if isinstance(arg, nodes.Starred):
                star_args = True
                break  # positions after *args are unknown
            args.append(Argument(arg))
        for keyword in given_keywords or ():
            if keyword.arg is None:
                star_kwargs = True
            else:
                keywords[keyword.arg] = Argument(keyword.value)
        defaults: dict = {}
        scope_star_kwargs = False
        for layer in layers:
            if layer.applies_to(raw.name):
                defaults.update(layer.defaults)
                scope_star_kwargs = scope_star_kwargs or layer.star_kwargs or layer.opaque
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
            conditional=raw.context.conditional or conditional,
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
        """``(function, arguments a partial binds or None)`` for each function of this file that a
        ``module_fn`` expression stands for.

        Followed through names, ``self.method``, ``functools.partial``, lambdas, what a factory of
        this file returns, and the arguments callers in this file pass for a parameter.
        """
        if expr is None or depth > _MAX_FOLLOW:
            return
        if isinstance(expr, nodes.Name):
            function = self.names.local_definition(expr)
            if function is not None:
                yield function, None
                return
            if expr.name in self.imported_names:
                function = self.other_definition(expr)
                if function is not None:
                    yield function, None
                    return
            value = self.names.assigned_value(expr)
            if value is not None:
                yield from self.module_functions(value, depth + 1)
                return
            found = parameter_of(expr)
            if found is not None and isinstance(found[0], _FUNCTIONS):
                function, name = found
                for call in self.local_calls.get(function, ()):
                    bound = bind_call(call, function, skip_first=is_method_call(call, function))
                    if bound and name in bound[1]:
                        yield from self.module_functions(bound[1][name], depth + 1)
        elif isinstance(expr, nodes.Attribute):
            method = self.method_of(expr) if isinstance(expr.expr, (nodes.Name, nodes.Call)) else None
            if method is None and isinstance(expr.expr, nodes.Name) and expr.expr.name in self.imported_names:
                method = self.other_definition(expr)
            if method is not None:
                yield method, None
        elif isinstance(expr, nodes.Call):
            if self.names.resolve(expr.func) == "functools.partial" and expr.args:
                for function, inner in self.module_functions(expr.args[0], depth + 1):
                    yield function, {**_partial_arguments(expr, function), **(inner or {})}
                return
            factory = self.called_function(expr.func)
            if factory is not None:
                for returned in returns_of(factory):
                    yield from self.module_functions(returned.value, depth + 1)
        elif isinstance(expr, nodes.Lambda):
            for name in expr.body.nodes_of_class((nodes.Name, nodes.Attribute)):
                if isinstance(name, nodes.Name):
                    function = self.names.local_definition(name)
                elif name.expr.__class__ is nodes.Name:
                    function = self.method_of(name)
                else:
                    function = None
                if function is not None:
                    yield function, None

    def called_function(self, func):
        """The function of this file a call's callee names (``make_fn`` or ``self.make_fn``), or None."""
        if isinstance(func, nodes.Name):
            return self.names.local_definition(func)
        if isinstance(func, nodes.Attribute) and isinstance(func.expr, (nodes.Name, nodes.Call)):
            return self.method_of(func)
        return None

    def why_not_followed(self, expr) -> str:
        """Why a ``module_fn`` expression stands for no function of this file, in the user's words."""
        if expr is None:
            return "hub.create_module_spec is called without a module_fn hublint can see"
        text = expr.as_string()
        if isinstance(expr, nodes.Name):
            source = self.names.project_import(expr, any_module=True)
            if source is not None:
                why = self.not_followed.get(id(expr), "")
                if why:
                    return f"module function {text} is imported from {source}, but {why}"
                return f"module function {text} is imported from {source}, another file hublint does not read"
            found = parameter_of(expr)
            if found is not None:
                return f"module function {text} is a parameter of {getattr(found[0], 'name', 'a lambda')} that no call in this file sets"
            return f"module function {text} is bound to a value hublint cannot follow"
        if isinstance(expr, nodes.Attribute) and isinstance(expr.expr, nodes.Name):
            found = parameter_of(expr.expr)
            cls = found[0].parent if found is not None else None
            if isinstance(cls, nodes.ClassDef):
                return (
                    f"module function {text} is no method of class {cls.name} in this file "
                    "(a base class in another file, or an attribute set at run time)"
                )
        kind = {
            nodes.Subscript: "a subscript",
            nodes.Call: "the result of a call",
            nodes.Attribute: "an attribute",
            nodes.Lambda: "a lambda that calls no function of this file",
        }.get(type(expr), "an expression")
        return f"module function {text} is computed ({kind})"

    def partial_of(self, func: nodes.Name):
        """``(partial call, op name, dotted)`` when ``func`` is bound once to ``functools.partial(op, ...)``."""
        value = self.names.assigned_value(func)
        if (
            isinstance(value, nodes.Call)
            and value.args
            and isinstance(value.args[0], (nodes.Name, nodes.Attribute))
            and self.names.resolve(value.func) == "functools.partial"
        ):
            dotted = self.names.qualified_name(value.args[0])
            if dotted:
                return value, canonical(dotted), dotted
        return None, None, None

    def scope_function(self, expr):
        """``my_arg_scope(...)`` or a name bound to it, as a scope to resolve after the walk; an
        arg-scope function of another project file or of tf-slim's source is read from its file."""
        if isinstance(expr, nodes.Name):
            expr = self.names.assigned_value(expr)
        if not isinstance(expr, nodes.Call):
            return None
        if isinstance(expr.func, nodes.Name):
            function = self.names.local_definition(expr.func)
            if function is not None:
                return _ScopeFromFunction(function, bind_call(expr, function), expr)
        if isinstance(expr.func, (nodes.Name, nodes.Attribute)):
            found = project.definition(expr.func)
            if isinstance(found, project.Definition) and self.read_other_file(found.module, expr):
                if found.function in self.returned_scopes:
                    return _ScopeFromFunction(found.function, bind_call(expr, found.function), expr)
        return None


_HANDLERS = {
    nodes.Name: _Collector.visit_name,
    nodes.Attribute: _Collector.visit_attribute,
    nodes.FunctionDef: _Collector.visit_function,
    nodes.AsyncFunctionDef: _Collector.visit_function,
    nodes.If: _Collector.visit_if,
    nodes.IfExp: _Collector.visit_ifexp,
    nodes.With: _Collector.visit_with,
    nodes.Call: _Collector.visit_call,
    nodes.Return: _Collector.visit_return,
    nodes.Import: _Collector.visit_import,
    nodes.ImportFrom: _Collector.visit_import,
}


def _computed_callee(func) -> bool:
    """``nets[name](x)``, ``getattr(nets, name)(x)``: a callee chosen at run time."""
    if isinstance(func, nodes.Subscript):
        return True
    return isinstance(func, nodes.Call) and isinstance(func.func, nodes.Name) and func.func.name == "getattr"


def _sequence(statements, context: _Context) -> list:
    """A block's statements with the context each runs in.

    After ``if not is_training: return`` the rest of the block runs on one branch only.
    """
    children = []
    for statement in statements:
        children.append((statement, context))
        if not context.conditional and isinstance(statement, nodes.If) and (
            _returns_at_end(statement.body) or _returns_at_end(statement.orelse)
        ):
            context = context._replace(conditional=True)
    return children


def _partial_arguments(partial: nodes.Call, function) -> dict:
    """The arguments ``functools.partial(function, *args, **keywords)`` binds, by parameter name."""
    names = [arg.name for arg in (function.args.posonlyargs or []) + (function.args.args or [])]
    bound = {}
    for index, arg in enumerate(partial.args[1:]):
        if isinstance(arg, nodes.Starred) or index >= len(names):
            break
        bound[names[index]] = arg
    for keyword in partial.keywords or ():
        if keyword.arg is not None:
            bound[keyword.arg] = keyword.value
    return bound


def _dead_blocks(root_arguments) -> set:
    """``id``s of the statements of module functions that no graph builds: the ``if`` branch that the
    arguments every ``functools.partial`` binds make dead (``partial(build, export=True)``, ``if not export:``)."""
    dead: set = set()
    for function, bindings in root_arguments.items():
        if not bindings or any(bound is None for bound in bindings):
            continue  # TF Hub calls it with its defaults somewhere: every branch may run
        for statement in function.body:
            found = [statement] if isinstance(statement, nodes.If) else statement.nodes_of_class(
                nodes.If, skip_klass=(*_FUNCTIONS, nodes.Lambda, nodes.ClassDef)
            )
            for branch in found:
                values = [evaluate(branch.test, bindings=(function, bound)) for bound in bindings]
                if any(value is UNKNOWN for value in values):
                    continue
                if not any(values):
                    dead.update(map(id, branch.body))
                elif all(values):
                    dead.update(map(id, branch.orelse))
    return dead


def _inside_any(node: nodes.NodeNG, dead: set, function) -> bool:
    while node is not None and node is not function:
        if id(node) in dead:
            return True
        node = node.parent
    return False


def _returns_at_end(block) -> bool:
    return bool(block) and isinstance(block[-1], nodes.Return)


def returns_of(function) -> Iterator[nodes.Return]:
    """The ``return value`` statements of ``function`` itself (not of functions defined in it)."""
    for statement in function.body:
        if isinstance(statement, nodes.Return):
            found = [statement]
        else:
            found = statement.nodes_of_class(nodes.Return, skip_klass=(*_FUNCTIONS, nodes.Lambda, nodes.ClassDef))
        for returned in found:
            if returned.value is not None:
                yield returned


#: Methods of the values a module function's parameters usually hold (tensors, dicts, hparams,
#: strings, lists): calling them builds no network, so they are not "a network hublint did not follow".
_VALUE_METHODS = frozenset({
    "get_shape", "set_shape", "as_list", "eval", "numpy", "value", "read_value", "assign", "assign_add",
    "get", "items", "keys", "values", "update", "pop", "setdefault", "copy", "append", "extend", "insert",
    "index", "count", "format", "join", "split", "strip", "lower", "upper", "replace", "startswith", "endswith",
    "encode", "decode_utf8", "to_json", "override_from_dict", "add_hparam", "set_hparam", "del_hparam",
})


def _callee_parameter(func: nodes.NodeNG) -> tuple[nodes.FunctionDef, str] | None:
    """``(function, parameter)`` when a call's callee is a parameter (``model(x)``) or a method of one
    (``encoder.encode(x)``): what callers pass is not followed. ``self`` / ``cls`` and the methods
    of plain values (:data:`_VALUE_METHODS`) are not."""
    base = func
    if isinstance(func, nodes.Attribute):
        if func.attrname in _VALUE_METHODS or func.attrname.startswith("__"):
            return None
        base = func.expr
    if not isinstance(base, nodes.Name) or base.name in ("self", "cls"):
        return None
    found = parameter_of(base)
    if found is None or not isinstance(found[0], _FUNCTIONS):
        return None
    return found


def is_method_call(call: nodes.Call, function) -> bool:
    """``self.method(...)``: the call does not pass the method's first parameter."""
    if not isinstance(call.func, nodes.Attribute) or not isinstance(function.parent, nodes.ClassDef):
        return False
    decorators = function.decorators.nodes if function.decorators else ()
    return not any(isinstance(d, nodes.Name) and d.name == "staticmethod" for d in decorators)


def location_of(node: nodes.NodeNG, path: str) -> Location:
    """The 1-based location of ``node`` in ``path`` (the linted file), or in the other file of the
    project that ``node`` is in."""
    return Location(
        path=project.display_path(node, path),
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


def _conditional_functions(roots, callers) -> set:
    """Functions that run only on one branch: every reference to them is conditional or in such a function.

    ``if is_training: x = noisy(x)`` or ``tf.cond(is_training, dropped, ...)`` make ``noisy`` and
    ``dropped`` conditional; module functions never are (TF Hub calls them).
    """
    conditional: set = set()
    changed = True
    while changed:
        changed = False
        for target, references in callers.items():
            if target in conditional or target in roots:
                continue
            if all(ref.conditional or (ref.caller in conditional and ref.caller is not target) for ref in references):
                conditional.add(target)
                changed = True
    return conditional


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
                returned = self.returned_scopes.get(scope.function)
                if returned is None:  # a function of this file that returns no scope hublint can read
                    layers.append(ArgScope(frozenset(), {}, scope.call, scope.function, opaque=True))
                    continue
                layers.extend(
                    _without_disabled_regularizers(layer.rebound(scope.bindings))
                    for layer in self.resolve(returned, depth + 1)
                )
        return tuple(layers)


# tf-slim's (and tf.contrib.layers') regularizers return no regularizer for a scale of 0.
_DISABLED_BY_ZERO = frozenset({"slim.l1_regularizer", "slim.l2_regularizer"})


def _without_disabled_regularizers(scope: ArgScope) -> ArgScope:
    """``scope`` without the regularizers a caller's argument turns off (``inception_v3_arg_scope(
    weight_decay=0.0)`` sets ``weights_regularizer=l2_regularizer(0.0)``, which is none)."""
    if not scope.defaults or not any(keyword in _REGULARIZER_KEYWORDS for keyword in scope.defaults):
        return scope
    kept = {keyword: argument for keyword, argument in scope.defaults.items() if not _disabled(keyword, argument)}
    if len(kept) == len(scope.defaults):
        return scope
    return ArgScope(scope.ops, kept, scope.call, scope.function, scope.star_kwargs, scope.opaque)


def _disabled(keyword: str, argument: Argument) -> bool:
    node = argument.node
    if keyword not in _REGULARIZER_KEYWORDS or not isinstance(node, nodes.Call):
        return False
    if Names().resolve(node.func) not in _DISABLED_BY_ZERO:
        return False
    return evaluate(_argument_node(node, "scale", 0), bindings=argument.bindings) == 0


def _module_spec(call: CallSite, module_functions, not_followed: str) -> ModuleSpec:
    tags_and_args = call.argument("tags_and_args", 1)
    entries: tuple = ()
    if tags_and_args is None:
        tag_sets, parameters = (frozenset(),), frozenset()
    else:
        tag_sets, parameters = _tag_sets(tags_and_args.value)
        if tag_sets is not None:
            entries = _written_entries(tags_and_args.node, tag_sets)
    drop = call.argument("drop_collections", 2)
    drop_collections = None
    if drop is not None and isinstance(drop.value, (list, tuple)) and UNKNOWN not in drop.value:
        drop_collections = tuple(str(item) for item in drop.value)
    return ModuleSpec(call, tuple(module_functions), tag_sets, drop_collections, parameters, not_followed, entries)


def _written_entries(node, tag_sets) -> tuple:
    """``((tag set, {argument: value node}), ...)`` of a ``tags_and_args`` written out as a literal."""
    if isinstance(node, nodes.Name):
        node = Names().assigned_value(node)
    if not isinstance(node, (nodes.List, nodes.Tuple)) or len(node.elts) != len(tag_sets):
        return ()
    entries = []
    for tags, entry in zip(tag_sets, node.elts):
        arguments = entry.elts[1] if isinstance(entry, (nodes.List, nodes.Tuple)) and len(entry.elts) == 2 else None
        if isinstance(arguments, nodes.Name):
            arguments = Names().assigned_value(arguments)
        if not isinstance(arguments, nodes.Dict) or any(not isinstance(key, nodes.Const) for key, _ in arguments.items):
            return ()
        entries.append((tags, {key.value: value for key, value in arguments.items}))
    return tuple(entries)


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
