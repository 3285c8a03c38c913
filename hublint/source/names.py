"""What a name in publisher code stands for, as one canonical qualified name.

``tf.compat.v1.layers.dense``, ``layers.dense`` after ``from tensorflow.compat.v1
import layers``, and ``tf.layers.dense`` after ``layers = tf.layers`` all become
``tf.layers.dense``; ``tf_slim``, ``tf.contrib.slim`` and ``tf.contrib.layers``
become one ``slim`` namespace; ``tensorflow.keras``, ``keras`` and ``tf_keras``
become ``keras``.  Names are followed through imports and simple assignments
with astroid's scope lookup, never by inferring TensorFlow (it is not
installed, and inference is slow).  A name that cannot be followed stays
unresolved: rules then say nothing about it.
"""

from __future__ import annotations

import functools
import sys

from astroid import nodes

# Version segments that do not change which API a name means.
_VERSION_SEGMENTS = {("compat", "v1"), ("compat", "v2"), ("_api", "v1"), ("_api", "v2"), ("api", "_v1"), ("api", "_v2")}

# Prefix rewrites, applied until none matches (longest prefix first).  The
# left sides are dotted names after the version segments are gone.
_PREFIXES = {
    "tensorflow_hub": "hub",
    "tensorflow_estimator.python.estimator.estimator_lib": "tf.estimator",
    "tensorflow_estimator.python.estimator": "tf.estimator",
    "tensorflow_estimator.estimator": "tf.estimator",
    "tensorflow_estimator": "tf.estimator",
    "tensorflow": "tf",
    "tf_keras": "keras",
    "tf_slim": "slim",
    "tf.python.keras": "keras",
    "tf.keras": "keras",
    "tf.optimizers": "keras.optimizers",
    "keras.src": "keras",
    "keras.api": "keras",
    "keras._tf_keras.keras": "keras",
    "keras.layers.core": "keras.layers",
    "keras.layers.convolutional": "keras.layers",
    "keras.layers.normalization": "keras.layers",
    "keras.layers.normalization_v2": "keras.layers",
    "keras.layers.batch_normalization": "keras.layers",
    "keras.layers.regularization": "keras.layers",
    "keras.optimizers.legacy": "keras.optimizers",
    "keras.optimizers.experimental": "keras.optimizers",
    "keras.optimizer_v2.ftrl": "keras.optimizers",
    "keras.optimizers.optimizer_v2.ftrl": "keras.optimizers",
    "tf.contrib.slim.python.slim": "slim",
    "tf.contrib.slim": "slim",
    "tf.contrib.layers.python.layers": "slim",
    "tf.contrib.layers": "slim",
    "tf.contrib.framework.python.ops.arg_scope": "slim",
    "tf.contrib.framework.python.ops": "slim",
    "tf.contrib.framework": "slim",
    "slim.layers.layers": "slim",
    "slim.layers.regularizers": "slim",
    "slim.layers.initializers": "slim",
    "slim.layers.normalization": "slim",
    "slim.layers": "slim",
    "slim.ops.arg_scope": "slim",
    "slim.ops": "slim",
    "tf.python.ops.nn_ops": "tf.nn",
    "tf.python.ops.nn": "tf.nn",
    "tf.python.ops.array_ops": "tf",
    "tf.python.layers.core": "tf.layers",
    "tf.python.layers.convolutional": "tf.layers",
    "tf.python.layers.normalization": "tf.layers",
    "tf.python.layers.layers": "tf.layers",
    "tf.python.training.ftrl": "tf.train",
    "tf.python.training.proximal_gradient_descent": "tf.train",
    "tf.python.training.proximal_adagrad": "tf.train",
    "tf.python.training": "tf.train",
    "tf.layers.core": "tf.layers",
    "tf.layers.convolutional": "tf.layers",
    "tf.layers.normalization": "tf.layers",
}
_ORDERED_PREFIXES = sorted(_PREFIXES, key=len, reverse=True)

# One name per function where a library exports the same function twice.
_ALIASES = {
    "slim.convolution2d": "slim.conv2d",
    "slim.convolution1d": "slim.conv1d",
    "slim.convolution3d": "slim.conv3d",
    "slim.convolution2d_transpose": "slim.conv2d_transpose",
    "slim.convolution3d_transpose": "slim.conv3d_transpose",
    "slim.separable_convolution2d": "slim.separable_conv2d",
    "slim.convolution2d_in_plane": "slim.conv2d_in_plane",
    "keras.layers.Convolution1D": "keras.layers.Conv1D",
    "keras.layers.Convolution2D": "keras.layers.Conv2D",
    "keras.layers.Convolution3D": "keras.layers.Conv3D",
    "keras.layers.Convolution2DTranspose": "keras.layers.Conv2DTranspose",
    "keras.layers.Convolution3DTranspose": "keras.layers.Conv3DTranspose",
    "keras.layers.SeparableConvolution1D": "keras.layers.SeparableConv1D",
    "keras.layers.SeparableConvolution2D": "keras.layers.SeparableConv2D",
    "tf.layers.Convolution1D": "tf.layers.Conv1D",
    "tf.layers.Convolution2D": "tf.layers.Conv2D",
    "tf.layers.Convolution3D": "tf.layers.Conv3D",
    "tf.layers.Convolution2DTranspose": "tf.layers.Conv2DTranspose",
    "tf.layers.Convolution3DTranspose": "tf.layers.Conv3DTranspose",
    "tf.layers.SeparableConvolution1D": "tf.layers.SeparableConv1D",
    "tf.layers.SeparableConvolution2D": "tf.layers.SeparableConv2D",
    "tf.layers.BatchNorm": "tf.layers.BatchNormalization",
    "tf.estimator.DNNLinearCombinedClassifierV2": "tf.estimator.DNNLinearCombinedClassifier",
    "tf.estimator.DNNLinearCombinedRegressorV2": "tf.estimator.DNNLinearCombinedRegressor",
    "tf.estimator.DNNLinearCombinedEstimatorV2": "tf.estimator.DNNLinearCombinedEstimator",
    "tf.estimator.LinearClassifierV2": "tf.estimator.LinearClassifier",
    "tf.estimator.LinearRegressorV2": "tf.estimator.LinearRegressor",
    "tf.estimator.LinearEstimatorV2": "tf.estimator.LinearEstimator",
}

# How deep to follow ``a = b``, ``b = c.d`` chains before giving up.
_MAX_DEPTH = 8


@functools.lru_cache(maxsize=4096)
def canonical(dotted: str) -> str:
    """The canonical form of a fully qualified dotted name (``tensorflow.compat.v1.layers.dense``)."""
    parts = dotted.split(".")
    kept: list[str] = []
    for part in parts:
        if kept and (kept[-1], part) in _VERSION_SEGMENTS:
            kept.pop()
            continue
        kept.append(part)
    name = ".".join(kept)
    for _ in range(8):  # each rewrite shortens or renames a prefix; a few rounds reach the fixed point
        for prefix in _ORDERED_PREFIXES:
            if name == prefix or name.startswith(prefix + "."):
                name = _PREFIXES[prefix] + name[len(prefix):]
                break
        else:
            break
    return _ALIASES.get(name, name)


def api_version(dotted: str) -> str:
    """``"v1"`` or ``"v2"`` when the qualified name went through ``compat.v1`` / ``compat.v2``.

    The last one counts: ``tf.compat.v2.nn.dropout`` under ``import tensorflow.compat.v1 as tf`` is v2.
    """
    last = max((dotted.rfind(segment), version) for segment, version in _VERSION_MARKS)
    return last[1] if last[0] >= 0 else ""


_VERSION_MARKS = ((".compat.v1", "v1"), ("._api.v1", "v1"), (".compat.v2", "v2"), ("._api.v2", "v2"))

# Top-level modules of libraries hublint knows are not the publisher's project (besides the standard library).
_LIBRARIES = frozenset({
    "tensorflow", "tensorflow_hub", "tensorflow_estimator", "tf_slim", "keras", "tf_keras", "tensorflow_text",
    "tensorflow_datasets", "tensorflow_addons", "tensorflow_probability", "tensorflow_io", "numpy", "scipy",
    "absl", "six", "sklearn", "PIL", "cv2", "pandas", "h5py", "sentencepiece", "yaml", "attr", "gin",
})


class Names:
    """Resolves names of one file; remembers lookups of names that are bound once in their scope."""

    def __init__(self) -> None:
        self._lookups: dict = {}

    def lookup(self, node: nodes.NodeNG, name: str) -> list:
        """The assignments ``name`` refers to where ``node`` reads it (astroid's scope lookup)."""
        scope = node.scope()
        key = (_binding_scope(scope, name), name)
        found = self._lookups.get(key)
        if found is not None:
            return found
        try:
            where, assignments = node.lookup(name)
        except Exception:  # astroid raises a few kinds on odd scopes; an unknown name is unresolved
            return []
        # A name bound once means the same wherever its scope reads it; one bound
        # twice depends on the position of the read, so it is looked up each time
        # (and so is a read that astroid sends past a local binding, like a default value).
        if len(where.locals.get(name, ())) <= 1 and not (where is not scope and name in scope.locals):
            self._lookups[key] = assignments
        return assignments

    def qualified_name(self, expr: nodes.NodeNG, depth: int = 0) -> str | None:
        """The fully qualified (not yet canonical) name of a ``Name`` / ``Attribute`` chain, or None."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, nodes.Attribute):
            base = self.qualified_name(expr.expr, depth + 1)
            return f"{base}.{expr.attrname}" if base else None
        if isinstance(expr, nodes.Name):
            return self._name_binding(expr, expr.name, depth)
        return None

    def resolve(self, expr: nodes.NodeNG) -> str | None:
        """The canonical name ``expr`` (a ``Name`` or ``Attribute``) stands for, or None."""
        if not isinstance(expr, (nodes.Name, nodes.Attribute)):
            return None
        dotted = self.qualified_name(expr)
        return canonical(dotted) if dotted else None

    def _name_binding(self, node: nodes.NodeNG, name: str, depth: int) -> str | None:
        local = node.scope().locals.get(name)
        if local and not any(_may_alias(assignment) for assignment in local):
            # Bound in this scope only to values and parameters (``net = ...``): no API name,
            # wherever the read is, so skip the position-dependent lookup.
            return None
        found: set[str] = set()
        raw: str | None = None
        assignments = self.lookup(node, name)
        if not assignments:
            return _star_import(node.root(), name)
        for assignment in _that_run(assignments):
            target = self._assignment_target(assignment, name, depth)
            if target is None:
                return None
            found.add(canonical(target))
            raw = target
        # ``try: import tf_slim as slim / except: slim = tf.contrib.slim`` binds one API twice.
        return raw if len(found) == 1 else None

    def _assignment_target(self, assignment: nodes.NodeNG, name: str, depth: int) -> str | None:
        if isinstance(assignment, nodes.Import):
            for module, alias in assignment.names:
                if alias == name:
                    return module
                if alias is None and module.split(".")[0] == name:
                    return name
            return None
        if isinstance(assignment, nodes.ImportFrom):
            if assignment.level:  # relative imports name the publisher's own package: no API
                return None
            for imported, alias in assignment.names:
                if (alias or imported) == name and imported != "*":
                    return f"{assignment.modname}.{imported}"
            if any(imported == "*" for imported, _ in assignment.names):  # astroid read the module's names
                return f"{assignment.modname}.{name}"
            return None
        if isinstance(assignment, nodes.AssignName):
            parent = assignment.parent
            if isinstance(parent, (nodes.Assign, nodes.AnnAssign)) and parent.value is not None:
                if isinstance(parent.value, (nodes.Name, nodes.Attribute)):
                    return self.qualified_name(parent.value, depth + 1)
        return None

    def assigned_value(self, name_node: nodes.Name) -> nodes.NodeNG | None:
        """The expression a name was bound to by its only plain assignment, or None."""
        assignments = self.lookup(name_node, name_node.name)
        if len(assignments) != 1:
            return None
        assignment = assignments[0]
        parent = assignment.parent
        if isinstance(assignment, nodes.AssignName) and isinstance(parent, (nodes.Assign, nodes.AnnAssign)):
            return parent.value
        return None

    def project_import(self, expr: nodes.NodeNG, any_module: bool = False) -> str | None:
        """The module a name (or ``name.attr`` chain) is imported from, when it is another file of the
        publisher's project (a relative import, or not a library hublint knows); with ``any_module``,
        any imported module.  None when the name is not imported."""
        through_attribute = isinstance(expr, nodes.Attribute)
        while isinstance(expr, nodes.Attribute):
            expr = expr.expr
        if not isinstance(expr, nodes.Name):
            return None
        assignments = self.lookup(expr, expr.name)
        if len(assignments) != 1 or not isinstance(assignments[0], (nodes.Import, nodes.ImportFrom)):
            return None
        assignment = assignments[0]
        if isinstance(assignment, nodes.ImportFrom):
            module = "." * (assignment.level or 0) + (assignment.modname or "")
            if not assignment.modname or through_attribute:  # ``from . import nets``, ``nets.tower``: a module
                imported = next((imported for imported, alias in assignment.names if (alias or imported) == expr.name), "")
                module = f"{module}.{imported}" if assignment.modname else module + imported
        else:
            module = next((imported for imported, alias in assignment.names if (alias or imported.split(".")[0]) == expr.name), "")
        if not module:
            return None
        top = module.split(".")[0]
        if any_module or module.startswith(".") or not (top in _LIBRARIES or top in sys.stdlib_module_names):
            return module
        return None

    def local_definition(self, name_node: nodes.Name) -> nodes.FunctionDef | None:
        """The function of this file that a name refers to (``def`` only), or None."""
        assignments = self.lookup(name_node, name_node.name)
        if len(assignments) == 1 and isinstance(assignments[0], (nodes.FunctionDef, nodes.AsyncFunctionDef)):
            return assignments[0]
        return None


def parameter_of(name_node: nodes.NodeNG) -> tuple[nodes.FunctionDef | nodes.Lambda, str] | None:
    """``(function, parameter name)`` when ``name_node`` is a name bound only as a function parameter."""
    if not isinstance(name_node, nodes.Name):
        return None
    try:
        _, assignments = name_node.lookup(name_node.name)
    except Exception:
        return None
    if len(assignments) == 1 and isinstance(assignments[0], nodes.AssignName):
        arguments = assignments[0].parent
        if isinstance(arguments, nodes.Arguments) and arguments.parent is not None:
            return arguments.parent, name_node.name
    return None


def _may_alias(assignment: nodes.NodeNG) -> bool:
    """Whether a binding may make a name stand for an API (an import or ``name = other.name``)."""
    if not isinstance(assignment, nodes.AssignName):
        return True
    parent = assignment.parent
    if isinstance(parent, nodes.Arguments):
        return False
    if isinstance(parent, (nodes.Assign, nodes.AnnAssign)):
        return isinstance(parent.value, (nodes.Name, nodes.Attribute))
    return False


def _that_run(assignments: list) -> list:
    """The bindings that take effect: ``try: import a as x / except ImportError: import b as x`` runs
    the first import when it succeeds, so the handler's binding is dropped when the try body binds too."""
    if len(assignments) < 2:
        return assignments
    kept = []
    for assignment in assignments:
        handler = assignment.parent
        while handler is not None and not isinstance(handler, (nodes.ExceptHandler, nodes.FunctionDef, nodes.Module)):
            handler = handler.parent
        if isinstance(handler, nodes.ExceptHandler) and any(
            other is not assignment and _inside(other, handler.parent.body) for other in assignments
        ):
            continue
        kept.append(assignment)
    return kept or assignments


def _inside(node: nodes.NodeNG, block: list) -> bool:
    ids = {id(statement) for statement in block}
    while node is not None:
        if id(node) in ids:
            return True
        node = node.parent
    return False


def _star_import(module: nodes.NodeNG, name: str) -> str | None:
    """``conv2d`` after ``from tf_slim import *``: the last star import whose module has an op of that name."""
    from hublint.source import ops

    if not isinstance(module, nodes.Module):
        return None
    for statement in reversed(module.body):
        if isinstance(statement, nodes.ImportFrom) and not statement.level and statement.names[0][0] == "*":
            dotted = f"{statement.modname}.{name}"
            if canonical(dotted) in ops.KNOWN_NAMES:
                return dotted
    return None


def _binding_scope(scope: nodes.NodeNG, name: str) -> nodes.NodeNG:
    """The innermost scope around ``scope`` that binds ``name`` (the module if none does).

    Reads of a name from every function that does not bind it share one lookup.
    Class bodies do not enclose the functions defined in them.
    """
    current = scope
    while not isinstance(current, nodes.Module):
        if name in current.locals and (current is scope or not isinstance(current, nodes.ClassDef)):
            return current
        parent = current.parent
        if parent is None:
            return current
        current = parent.scope()
    return current
