"""What TF2 publisher code saves, read from one file: the objects given to ``tf.saved_model.save`` and
the Keras ``export()`` calls, as TF Hub's reusable SavedModel API sees them.

TF Hub's consumers (``hub.load``, ``hub.KerasLayer``) read what the *saved* object offers:
a ``tf.function`` ``__call__`` whose training flag is called ``training``, and the attributes
``variables``, ``trainable_variables`` and ``regularization_losses``.  ``tf.saved_model.save``
keeps only tracked attributes and ``tf.function``s, never properties: a ``tf.Module``'s own
``variables`` / ``trainable_variables`` properties are not in the artifact.

:func:`saved_objects` follows the first argument of each ``tf.saved_model.save`` call to a
``tf.Module`` / ``tf.train.Checkpoint`` subclass of this file (an instance, ``self``, what a
function of this file returns, a parameter that the callers in this file set) or to a
``tf.Module()`` / ``tf.train.Checkpoint()`` built in place with attributes assigned.  Keras
models are left alone (a Keras 2 model saved this way exports the whole API), and so is anything
whose classes are not all in this file.  :func:`keras_exports` finds ``model.export(path)`` and
``ExportArchive.write_out(path)`` on a model built in this file, with the reason the file looks
like it publishes for fine-tuning, or none.

Names resolve through :mod:`hublint.source.names`; nothing is inferred.
"""

from __future__ import annotations

import os
import re
from typing import Iterator, NamedTuple

from astroid import nodes

from hublint.source.facts import CallSite, SourceFacts, is_method_call, returns_of
from hublint.source.names import Names, canonical, parameter_of
from hublint.source.values import UNKNOWN, bind_call, evaluate

SAVE = ("tf.saved_model.save", "tf.saved_model.experimental.save")
#: Trackable classes a publisher's object derives from (Sonnet 2 modules are tf.Modules).
MODULE_BASES = frozenset({
    "tf.Module", "tf.train.Checkpoint", "tf.__internal__.tracking.AutoTrackable",
    "tf.python.trackable.autotrackable.AutoTrackable", "sonnet.Module",
})
#: What hub.KerasLayer reads to fine-tune; an object with neither does not take part in it.
FINE_TUNING_ATTRIBUTES = ("trainable_variables", "regularization_losses")
#: Names publishers give a training flag; hub.KerasLayer passes only ``training=``.  ``mode`` and
#: other multi-valued switches are not read as one.
TRAINING_FLAG_NAMES = frozenset({
    "is_training", "trainable", "train", "is_train", "training_mode", "train_mode", "is_trainable",
    "phase_train", "train_phase", "in_training", "istraining", "use_training",
})
# Bases whose ``variables`` / ``trainable_variables`` are read-only properties.
_MODULE_PROPERTIES = frozenset({"tf.Module", "sonnet.Module"})
HUB_LOADERS = ("hub.KerasLayer", "hub.load", "hub.Module")
EXPORT_ARCHIVE = "keras.export.ExportArchive"
_KERAS_MODELS = frozenset({
    "keras.Model", "keras.Sequential", "keras.models.Model", "keras.models.Sequential",
    "keras.models.load_model", "keras.saving.load_model",
})
_LOADED_WEIGHTS = frozenset({"hub.KerasLayer", "hub.load", "tf.saved_model.load"})
# Keras layers without trainable weights: holding one is no evidence of something to fine-tune.
_WEIGHTLESS_LAYERS = frozenset({
    "Input", "InputLayer", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
    "GaussianDropout", "GaussianNoise", "AlphaDropout", "Activation", "ReLU", "LeakyReLU", "ELU",
    "Softmax", "Flatten", "Reshape", "Permute", "RepeatVector", "Lambda", "Concatenate", "Add", "Subtract",
    "Multiply", "Average", "Maximum", "Minimum", "Dot", "Masking", "Identity", "Resizing", "Rescaling",
    "CenterCrop", "TextVectorization", "StringLookup", "IntegerLookup", "Hashing", "CategoryEncoding",
    "Normalization", "Discretization",
})
_WEIGHTLESS_PREFIXES = ("Cropping", "ZeroPadding", "UpSampling", "MaxPool", "AveragePool", "GlobalMax", "GlobalAverage")
# "tfhub", "tf_hub", "tf-hub", "hub_module", "/hub/": TF Hub named as a word, not "github".
_NAMES_TF_HUB = re.compile(r"(?:^|[^a-z])(?:tf[_-]?)?hub(?:[^a-z]|$)")
_MAX_FOLLOW = 6
_FUNCTIONS = (nodes.FunctionDef, nodes.AsyncFunctionDef)


class SavedObject(NamedTuple):
    """One object a ``tf.saved_model.save`` call of this file saves, as far as this file shows it."""

    save: CallSite  # the ``tf.saved_model.save`` call (set by :func:`saved_objects`)
    title: str  # how messages name it: the class, or the variable a tf.Module() is bound to
    is_class: bool  # a subclass of this file (else built in place: ``obj = tf.Module()``)
    attributes: frozenset  # attributes it is given (``self.x = ...``, ``obj.x = ...``, class body, kwargs)
    properties: frozenset  # ``@property`` names of its classes: never saved
    call: nodes.NodeNG | None  # its ``__call__`` as saved (a tf.function), when present
    call_function: nodes.NodeNG | None  # the def / lambda behind that ``__call__``, when this file has it
    weights: nodes.NodeNG | None  # where it gets trainable weights (a tf.Variable, a Keras layer, ...)
    shadows_properties: bool = False  # a tf.Module subclass: ``variables`` / ``trainable_variables`` are properties

    @property
    def exposes_fine_tuning(self) -> bool:
        return any(name in self.attributes for name in FINE_TUNING_ATTRIBUTES)


class KerasExport(NamedTuple):
    """``model.export(path)`` / ``archive.write_out(path)`` of a Keras model built in this file."""

    call: nodes.Call
    keras: str  # how Keras was imported: "keras", "tf.keras" (TF's, Keras 2 or 3) or "tf_keras" (Keras 2)
    reason: str  # why the file looks like it publishes for fine-tuning ("" when it does not)


def training_flag(function) -> nodes.AssignName | None:
    """The parameter of a ``__call__`` that takes its training flag under another name than ``training``
    (``is_training``, ``trainable``), or None."""
    arguments = function.args
    parameters = (arguments.posonlyargs or []) + (arguments.args or []) + (arguments.kwonlyargs or [])
    if any(parameter.name == "training" for parameter in parameters):
        return None
    return next((parameter for parameter in parameters if parameter.name in TRAINING_FLAG_NAMES), None)


def saved_objects(facts: SourceFacts) -> Iterator[SavedObject]:
    """The objects the ``tf.saved_model.save`` calls of this file save, where this file shows them whole."""
    reader = _Reader(facts)
    for save in facts.named(*SAVE):
        argument = save.argument("obj", 0)
        if argument is None:
            continue
        seen: set = set()
        for found in reader.objects(argument.node, 0):
            key = found.title, found.is_class
            if key not in seen:
                seen.add(key)
                yield found._replace(save=save)


def keras_exports(facts: SourceFacts, tree: nodes.Module) -> Iterator[KerasExport]:
    """The Keras exports of this file whose model (or ``ExportArchive``) this file builds."""
    reader = _Reader(facts)
    for call in tree.nodes_of_class(nodes.Call):
        func = call.func
        if not isinstance(func, nodes.Attribute) or func.attrname not in ("export", "write_out"):
            continue
        if func.attrname == "export":
            keras = reader.keras_model(func.expr, 0)
        else:
            keras = reader.export_archive(func.expr)
        if keras is None:
            continue
        path = call.args[0] if call.args else next(
            (keyword.value for keyword in call.keywords or () if keyword.arg == "filepath"), None
        )
        yield KerasExport(call, keras, reader.publishes_for_fine_tuning(path))


class _Reader:
    def __init__(self, facts: SourceFacts):
        self.facts = facts
        self.names = Names()

    # -- the saved object ------------------------------------------------------------------
    def objects(self, expr, depth: int) -> Iterator[SavedObject]:
        """The saved objects an expression stands for (several when callers in this file pass different ones)."""
        if expr is None or depth > _MAX_FOLLOW:
            return
        if isinstance(expr, nodes.Name):
            found = parameter_of(expr)
            if found is not None and isinstance(found[0], _FUNCTIONS):
                function, name = found
                cls = function.parent
                first = (function.args.posonlyargs or []) + (function.args.args or [])
                if isinstance(cls, nodes.ClassDef) and first and first[0].name == name:
                    yield from self.class_object(cls, None, depth)  # ``tf.saved_model.save(self, path)``
                    return
                for call in self.facts.local_calls.get(function, ()):
                    bound = bind_call(call, function, skip_first=is_method_call(call, function))
                    if bound and name in bound[1]:
                        yield from self.objects(bound[1][name], depth + 1)
                return
            value = self.names.assigned_value(expr)
            if isinstance(value, nodes.Call) and self.names.resolve(value.func) in MODULE_BASES:
                yield self.built_object(expr, value)
            elif value is not None:
                yield from self.objects(value, depth + 1)
        elif isinstance(expr, nodes.Call):
            cls = self.local_class(expr.func)
            if cls is not None:
                yield from self.class_object(cls, expr, depth)
                return
            if self.names.resolve(expr.func) in MODULE_BASES:
                yield self.built_object(None, expr)
                return
            function = self.local_function(expr.func)
            if function is not None:
                for returned in returns_of(function):
                    yield from self.objects(returned.value, depth + 1)

    def class_object(self, cls: nodes.ClassDef, constructor: nodes.Call | None, depth: int) -> Iterator[SavedObject]:
        classes = self.module_classes(cls, 0)
        if classes is None:
            return  # a Keras class, or a base class hublint cannot see: not judged
        attributes: set = set()
        properties: set = set()
        call = call_function = None
        open_attributes = False
        for member_of in classes:  # the class first, then its bases: the first ``__call__`` wins
            for statement in member_of.body:
                if isinstance(statement, _FUNCTIONS):
                    if _decorated_by(statement, "property", self.names):
                        properties.add(statement.name)
                    elif statement.name == "__call__" and call is None and self.is_tf_function(statement):
                        call = call_function = statement
                elif isinstance(statement, (nodes.Assign, nodes.AnnAssign)) and not _is_none(statement.value):
                    targets = statement.targets if isinstance(statement, nodes.Assign) else [statement.target]
                    for target in targets:
                        if isinstance(target, nodes.AssignName):
                            attributes.add(target.name)
                            if target.name == "__call__" and call is None:
                                call, call_function = statement.value, self.traced_function(statement.value)
            for name, value in self.self_assignments(member_of.body):
                if name is None:
                    open_attributes = True
                    continue
                attributes.add(name)
                if name == "__call__" and call is None:
                    call, call_function = value, self.traced_function(value)
        if open_attributes:
            return  # ``setattr(self, name, ...)`` with computed names may set anything
        weights = self.class_weights(classes, constructor, depth)
        tf_module = any(self.names.resolve(base) in _MODULE_PROPERTIES for member_of in classes for base in member_of.bases)
        yield SavedObject(None, cls.name, True, frozenset(attributes), frozenset(properties - attributes),
                          call, call_function, weights, tf_module)

    def built_object(self, name: nodes.Name | None, constructor: nodes.Call) -> SavedObject:
        """``obj = tf.Module()`` / ``tf.train.Checkpoint(v=...)`` and the attributes assigned to ``obj``."""
        values = {keyword.arg: keyword.value for keyword in constructor.keywords or () if keyword.arg}
        if name is not None:
            scope = constructor.scope()
            for node in scope.nodes_of_class((nodes.AssignAttr, nodes.Call)):
                if isinstance(node, nodes.AssignAttr):
                    if isinstance(node.expr, nodes.Name) and node.expr.name == name.name and node.scope() is scope:
                        values[node.attrname] = _assigned(node)
                elif _is_setattr(node, name.name) and node.scope() is scope:
                    key = evaluate(node.args[1])
                    values[key if isinstance(key, str) else "*"] = node.args[2]
        call = values.get("__call__")
        weights = next((value for value in values.values() if value is not None and self.holds_weights(value, 0)), None)
        title = name.name if name is not None else constructor.as_string()
        attributes = frozenset(key for key, value in values.items() if not _is_none(value))
        if "*" in attributes:
            attributes = attributes | set(FINE_TUNING_ATTRIBUTES)  # computed names: may be these
        return SavedObject(None, title, False, attributes, frozenset(), call,
                           self.traced_function(call) if call is not None else None, weights)

    def module_classes(self, cls: nodes.ClassDef, depth: int) -> list | None:
        """``cls`` and its base classes of this file, when it derives from a tf.Module-like class
        through them only; None for Keras classes and bases hublint cannot see."""
        found = [cls]
        is_module = False
        for base in cls.bases:
            name = self.names.resolve(base)
            if name in MODULE_BASES:
                is_module = True
                continue
            if name == "object":
                continue
            local = self.local_class(base)
            if local is None or depth >= _MAX_FOLLOW:
                return None
            inherited = self.module_classes(local, depth + 1)
            if inherited is None:
                return None
            found.extend(inherited)
            is_module = True
        return found if is_module else None

    def self_assignments(self, methods) -> Iterator[tuple]:
        """``(name, value)`` of ``self.name = value`` in ``methods`` (name None: ``setattr`` with a computed name)."""
        for method in methods:
            if not isinstance(method, _FUNCTIONS):
                continue
            first = (method.args.posonlyargs or []) + (method.args.args or [])
            if not first or _decorated_by(method, "staticmethod", self.names):
                continue
            this = first[0].name
            for node in method.nodes_of_class((nodes.AssignAttr, nodes.Call)):
                if isinstance(node, nodes.AssignAttr):
                    if isinstance(node.expr, nodes.Name) and node.expr.name == this:
                        value = _assigned(node)
                        if not _is_none(value):
                            yield node.attrname, value
                elif _is_setattr(node, this):
                    key = evaluate(node.args[1])
                    yield (key if isinstance(key, str) else None), node.args[2]

    def class_weights(self, classes, constructor: nodes.Call | None, depth: int):
        """Where an object of these classes gets trainable weights: a weight-creating call in its methods,
        or a constructor argument that holds weights and that ``__init__`` stores."""
        inside = {id(cls) for cls in classes}
        for call in self.facts.calls:
            if _creates_weights(call.name, call.node) and _enclosing_class_id(call.node) in inside:
                return call.node
        init = next((member for cls in classes for member in cls.body
                     if isinstance(member, _FUNCTIONS) and member.name == "__init__"), None)
        if constructor is None or init is None:
            return None
        bound = bind_call(constructor, init, skip_first=True)
        for _, value in self.self_assignments([init]):
            if isinstance(value, nodes.Name) and bound and value.name in bound[1]:
                argument = bound[1][value.name]
                if self.holds_weights(argument, depth + 1):
                    return argument
        return None

    def holds_weights(self, expr, depth: int) -> bool:
        """Whether an expression holds trainable weights this file creates (a tf.Variable, a Keras layer
        or model, a loaded SavedModel), directly or through names and containers."""
        if expr is None or depth > _MAX_FOLLOW:
            return False
        if isinstance(expr, nodes.Call):
            name = self.names.resolve(expr.func)
            if name is not None and _creates_weights(name, expr):
                return True
            if name == "tf.function" or name in MODULE_BASES:
                return False
            cls = self.local_class(expr.func)
            if cls is not None:
                if self.keras_class(cls, 0) is not None:
                    return True
                classes = self.module_classes(cls, 0)
                return classes is not None and self.class_weights(classes, expr, depth + 1) is not None
            function = self.local_function(expr.func)
            if function is not None:
                return any(self.holds_weights(returned.value, depth + 1) for returned in returns_of(function))
            return False
        if isinstance(expr, nodes.Name):
            return self.holds_weights(self.names.assigned_value(expr), depth + 1)
        if isinstance(expr, nodes.Attribute):  # ``model.trainable_variables``
            return self.holds_weights(expr.expr, depth + 1)
        if isinstance(expr, (nodes.List, nodes.Tuple, nodes.Set)):
            return any(self.holds_weights(element, depth + 1) for element in expr.elts)
        if isinstance(expr, nodes.Dict):
            return any(self.holds_weights(value, depth + 1) for _, value in expr.items)
        if isinstance(expr, nodes.BinOp):
            return self.holds_weights(expr.left, depth + 1) or self.holds_weights(expr.right, depth + 1)
        return False

    def is_tf_function(self, function) -> bool:
        return _decorated_by(function, "tf.function", self.names)

    def traced_function(self, value):
        """The def or lambda behind a ``__call__`` value: ``tf.function(fn)``, a decorated ``fn``, a lambda."""
        if isinstance(value, nodes.Call) and self.names.resolve(value.func) == "tf.function" and value.args:
            value = value.args[0]
        if isinstance(value, nodes.Lambda):
            return value
        if isinstance(value, nodes.Name):
            return self.names.local_definition(value)
        return None

    # -- Keras exports -----------------------------------------------------------------------
    def keras_model(self, expr, depth: int) -> str | None:
        """How Keras was imported for the model ``expr`` stands for ("keras", "tf.keras", "tf_keras"), or None."""
        if expr is None or depth > _MAX_FOLLOW:
            return None
        if isinstance(expr, nodes.Name):
            return self.keras_model(self.names.assigned_value(expr), depth + 1)
        if not isinstance(expr, nodes.Call) or not isinstance(expr.func, (nodes.Name, nodes.Attribute)):
            return None
        dotted = self.names.qualified_name(expr.func)
        if dotted:
            name = canonical(dotted)
            if name in _KERAS_MODELS or _is_keras_application(name):
                return _keras_flavour(dotted)
            return None
        cls = self.local_class(expr.func)
        if cls is not None:
            return self.keras_class(cls, 0)
        function = self.local_function(expr.func)
        if function is not None:
            for returned in returns_of(function):
                found = self.keras_model(returned.value, depth + 1)
                if found is not None:
                    return found
        return None

    def keras_class(self, cls: nodes.ClassDef, depth: int) -> str | None:
        """How Keras was imported for a Keras model (or layer) class of this file, or None."""
        for base in cls.bases:
            dotted = self.names.qualified_name(base) if isinstance(base, (nodes.Name, nodes.Attribute)) else None
            if dotted and (canonical(dotted) in _KERAS_MODELS or canonical(dotted) == "keras.layers.Layer"):
                return _keras_flavour(dotted)
            local = self.local_class(base)
            if local is not None and depth < _MAX_FOLLOW:
                found = self.keras_class(local, depth + 1)
                if found is not None:
                    return found
        return None

    def export_archive(self, expr) -> str | None:
        if isinstance(expr, nodes.Name):
            expr = self.names.assigned_value(expr)
        if isinstance(expr, nodes.Call) and isinstance(expr.func, (nodes.Name, nodes.Attribute)):
            dotted = self.names.qualified_name(expr.func)
            if dotted and canonical(dotted) == EXPORT_ARCHIVE:
                return _keras_flavour(dotted)
        return None

    def publishes_for_fine_tuning(self, path) -> str:
        """Why an export to ``path`` looks meant for TF Hub consumers, or "" (then it is taken for serving)."""
        if path is not None:
            text, value = path.as_string(), evaluate(path)
            for loader in self.facts.named(*HUB_LOADERS):
                handle = loader.argument("handle", 0) or loader.argument("spec", 0)
                if handle is None:
                    continue
                if handle.text == text or (value is not UNKNOWN and handle.value == value):
                    return f"this file loads that path with {loader.text} (line {loader.location.line})"
            for string in _strings(path, self.names):
                if names_tf_hub(string):
                    return f"the export path names TF Hub ({string!r})"
        stem = os.path.splitext(os.path.basename(self.facts.path))[0]
        if names_tf_hub(stem):
            return f"the file name says it exports for TF Hub ({os.path.basename(self.facts.path)})"
        return ""

    # -- names of this file ------------------------------------------------------------------
    def local_class(self, func) -> nodes.ClassDef | None:
        if not isinstance(func, nodes.Name):
            return None
        found = self.names.lookup(func, func.name)
        return found[0] if len(found) == 1 and isinstance(found[0], nodes.ClassDef) else None

    def local_function(self, func):
        return self.names.local_definition(func) if isinstance(func, nodes.Name) else None


def _creates_weights(name: str, call: nodes.Call) -> bool:
    """Whether a call of the API ``name`` creates (or loads) trainable weights."""
    if name == "tf.Variable":
        trainable = next((keyword.value for keyword in call.keywords or () if keyword.arg == "trainable"), None)
        return trainable is None or evaluate(trainable) is not False
    if name in _LOADED_WEIGHTS or name in _KERAS_MODELS or _is_keras_application(name):
        return True
    if name.startswith("keras.layers."):
        layer = name[len("keras.layers."):]
        return (
            "." not in layer and layer[:1].isupper() and layer not in _WEIGHTLESS_LAYERS
            and not layer.startswith(_WEIGHTLESS_PREFIXES)
        )
    return False


def names_tf_hub(text: str) -> bool:
    """Whether ``text`` names TF Hub as a word (``tensorflow_hub``, ``hub.load``, ``tfhub``; not ``github``)."""
    return _NAMES_TF_HUB.search(text.lower()) is not None


def _is_keras_application(name: str) -> bool:
    """``keras.applications.MobileNetV2`` (a model), not ``keras.applications.mobilenet_v2.preprocess_input``."""
    return name.startswith("keras.applications.") and name.rsplit(".", 1)[-1][:1].isupper()


def _keras_flavour(dotted: str) -> str:
    if dotted.startswith("tf_keras"):
        return "tf_keras"
    if dotted.startswith("tensorflow"):
        return "tf.keras"
    return "keras"


def _decorated_by(function, wanted: str, names: Names) -> bool:
    for decorator in function.decorators.nodes if function.decorators else ():
        target = decorator.func if isinstance(decorator, nodes.Call) else decorator
        if isinstance(target, nodes.Name) and target.name == wanted:
            return True
        if isinstance(target, (nodes.Name, nodes.Attribute)) and names.resolve(target) == wanted:
            return True
    return False


def _assigned(target: nodes.AssignAttr):
    parent = target.parent
    if isinstance(parent, (nodes.Assign, nodes.AnnAssign, nodes.AugAssign)):
        return parent.value
    return target  # a loop or ``with`` target: some value


def _is_none(value) -> bool:
    return isinstance(value, nodes.Const) and value.value is None


def _is_setattr(call: nodes.Call, name: str) -> bool:
    return (
        isinstance(call.func, nodes.Name) and call.func.name == "setattr" and len(call.args) == 3
        and isinstance(call.args[0], nodes.Name) and call.args[0].name == name
    )


def _enclosing_class_id(node) -> int | None:
    while node is not None and not isinstance(node, nodes.Module):
        if isinstance(node, nodes.ClassDef):
            return id(node)
        node = node.parent
    return None


def _strings(expr, names: Names) -> Iterator[str]:
    """The string constants an export path is built from (through names bound once)."""
    value = evaluate(expr)
    if isinstance(value, str):
        yield value
        return
    if isinstance(expr, nodes.Name):
        expr = names.assigned_value(expr)
        if expr is None:
            return
    for node in expr.nodes_of_class(nodes.Const):
        if isinstance(node.value, str):
            yield node.value

