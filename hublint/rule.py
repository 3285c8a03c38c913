"""The rule contract: one rule is one small class that carries its id, name,
severity, messages, documentation and examples.

Subclasses of :class:`SourceRule` judge the facts the source pass resolved
from one Python file; subclasses of :class:`ModuleRule` judge the graph model
of one exported module.  Both build findings with :meth:`Rule.finding`, so
message text lives in one place per rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator

from hublint.finding import Finding, Location, Severity

if TYPE_CHECKING:  # pragma: no cover
    from hublint.config import Config


class Rule:
    """Base class of every rule.  Everything a user reads about a rule is here."""

    id: ClassVar[str]
    name: ClassVar[str]  # kebab-case, usable wherever the id is
    severity: ClassVar[Severity]
    enabled_by_default: ClassVar[bool] = True
    #: "What it does": one or two sentences.
    summary: ClassVar[str]
    #: "Why is this bad?": the rationale paragraph.
    rationale: ClassVar[str]
    #: ``str.format`` template of the message; fields come from :meth:`finding`.
    message: ClassVar[str]
    #: ``str.format`` template of the fix hint (same fields as ``message``).
    fix: ClassVar[str] = ""
    #: Configuration options (``[tool.hublint]`` keys) that change this rule.
    options: ClassVar[tuple[str, ...]] = ()
    #: Code that triggers the rule ("Example") and code that does not ("Use instead").
    bad: ClassVar[tuple[str, ...]] = ()
    good: ClassVar[tuple[str, ...]] = ()
    #: For a rule that reports one cause once per node (each unregularized kernel): the text
    #: and HTML reports' one line for all its findings in one module and tag set, a template
    #: with ``{count}`` (see :class:`hublint.report.Cause`).  Empty: findings group only when
    #: their messages differ in nothing but the node.
    group_message: ClassVar[str] = ""
    #: Severities other than ``severity`` that one finding of the rule may take
    #: (``finding(severity=...)``): the pylint plugin gives each its own message id.
    other_severities: ClassVar[tuple[Severity, ...]] = ()

    def finding(self, location: Location, *, severity: Severity | None = None, **fields: object) -> Finding:
        """Build a finding of this rule; ``fields`` fill the templates.

        ``severity`` overrides the rule's default for this one finding, for rules whose
        findings differ in what they break (HUB108, HUB209: error or warning).
        """
        if severity is not None and severity != self.severity and severity not in self.other_severities:
            raise ValueError(f"{self.id} does not declare severity {severity.label} in other_severities")
        return Finding(
            location=location,
            rule_id=self.id,
            rule_name=self.name,
            severity=self.severity if severity is None else severity,
            message=self.message.format(**fields),
            fix=self.fix.format(**fields) if self.fix else "",
        )


class SourceRule(Rule):
    """A rule of the source pass: a predicate over one file's resolved facts."""

    kind: ClassVar[str] = "source"
    #: A file must spell one of these words for the rule to fire in it.  Every name the
    #: source pass resolves comes from an import in the same file, and such an import
    #: spells one of the defaults; rules about particular calls narrow the list.
    triggers: ClassVar[tuple[str, ...]] = ("tensorflow", "keras", "tf_slim")
    #: Module-graph rules (HUB102-HUB110) judge module code, which under the default
    #: scope exists only in a file that calls ``hub.create_module_spec``.
    module_graph: ClassVar[bool] = False

    def may_fire(self, text: str, config: "Config") -> bool:
        """Whether the rule can fire on source ``text`` at all: a cheap pre-filter that
        spares most library files the astroid tree (see ``hublint.source.lint_text``)."""
        words = ("create_module_spec",) if self.module_graph and config.scope == "module" else self.triggers
        return any(word in text for word in words)

    def check(self, facts, config: "Config") -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError


class ModuleRule(Rule):
    """A rule of the module pass: a predicate over one module's graph model.

    ``bad_modules`` / ``good_modules`` name modules under
    ``tests/modules/exported/`` that must / must not trigger the rule; the
    publisher code in ``bad`` / ``good`` is what built them.
    """

    kind: ClassVar[str] = "module"
    bad_modules: ClassVar[tuple[str, ...]] = ()
    good_modules: ClassVar[tuple[str, ...]] = ()

    def check(self, module, config: "Config") -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError


class DynamicRule(ModuleRule):
    """A rule of the dynamic pass (``--load``): a predicate over what the TensorFlow child
    measured on one module (:class:`hublint.dynamic.Measurement`).

    It judges a module like a module rule, so it shares that contract (``bad`` is the
    publisher code that makes the problem); its findings exist only when ``--load``
    runs, and ``tests/test_dynamic.py`` holds its real-module stories.
    """

    kind: ClassVar[str] = "dynamic"

    def check(self, measurement, config: "Config") -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError


class CoreRule(Rule):
    """A rule that hublint itself raises (HUB0xx): no ``check``, only findings."""

    kind: ClassVar[str] = "core"


def iter_rule_classes(package) -> Iterator[type[Rule]]:
    """Yield the rule classes defined in the modules of ``package`` (sorted by id)."""
    import importlib
    import pkgutil

    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value.__module__ == module.__name__
                and "id" in vars(value)
            ):
                found.append(value)
    return iter(sorted(found, key=lambda cls: cls.id))
