"""Configuration: ``[tool.hublint]`` in ``pyproject.toml``, overridden by the command line."""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hublint import registry
from hublint.finding import Severity

DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "__pycache__", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".hublint_cache", "node_modules", "build", "dist", "*.egg-info",
)


class ConfigError(ValueError):
    """The configuration is wrong; the message says where and how."""


@dataclass(frozen=True)
class Config:
    """Everything that changes what hublint reports.  Immutable, cheap to pass to workers."""

    select: tuple[str, ...] = ()  # empty: the rules enabled by default
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    fail_on: str = "warning"  # info, warning, error or never
    #: "module": HUB102-HUB110 look only at module code (functions given to
    #: hub.create_module_spec and what they call); "all": at every call site.
    scope: str = "module"
    dropout_rate_min: float = 0.0  # a rate <= this is flagged (dropout that does nothing)
    dropout_rate_max: float = 0.5  # a rate > this is flagged
    batchnorm_momentum_max: float = 0.99
    allow_linear_l1: bool = True  # HUB101: L1 on wide / sparse linear models is accepted
    max_constant_bytes: int = 1 << 20  # HUB215
    max_file_bytes: int = 10 << 20  # bigger Python files get HUB001 instead of a parse
    cache: bool = True
    cache_dir: str = ".hublint_cache"
    jobs: int = 0  # 0: one per core
    #: a baseline file (``--baseline``), relative to ``root``: its findings are not reported
    baseline: str = ""
    root: str = "."  # the folder of the config file; relative globs are matched from here
    config_file: str = ""

    @property
    def fail_severity(self) -> Severity | None:
        """The least severity that makes the run fail; None for ``never``."""
        return None if self.fail_on == "never" else Severity.parse(self.fail_on)

    # -- rule selection ---------------------------------------------------------------
    def is_enabled(self, rule_id: str, path: str | None = None) -> bool:
        rule = registry.get_rule(rule_id)
        if rule is None or not self._selects(rule):
            return False
        if path is not None and self.per_file_ignores:
            return not any(
                registry.matches(selector, rule)
                for pattern, selectors in self.per_file_ignores
                if _glob_match(self.relative(path), pattern)
                for selector in selectors
            )
        return True

    def _selects(self, rule) -> bool:
        return _selects(self.select, self.extend_select, self.ignore, rule.id)

    def is_excluded(self, path: str) -> bool:
        rel = self.relative(path)
        name = os.path.basename(os.path.normpath(path))
        for pattern in (*self.exclude, *self.extend_exclude):
            if fnmatch.fnmatchcase(name, pattern) or _glob_match(rel, pattern):
                return True
        return False

    def relative(self, path: str) -> str:
        absolute = os.path.abspath(path)
        root = os.path.abspath(self.root)
        try:
            rel = os.path.relpath(absolute, root)
        except ValueError:  # another drive on Windows
            return PurePosixPath(absolute).as_posix()
        return PurePosixPath(Path(rel)).as_posix() if not rel.startswith("..") else Path(absolute).as_posix()

    def fingerprint(self) -> str:
        """A hash of every setting that changes findings (for the cache)."""
        import hashlib  # only runs that use the cache need it
        import json

        data = dataclasses.asdict(self)
        for key in ("cache", "cache_dir", "jobs", "fail_on", "config_file", "baseline"):
            data.pop(key)
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]

    @property
    def baseline_file(self) -> str:
        """The baseline file to apply, or ``""``: ``baseline`` is relative to the config's folder."""
        return os.path.join(self.root, self.baseline) if self.baseline else ""

    def replace(self, **changes) -> "Config":
        return dataclasses.replace(self, **changes)


def _glob_match(rel_path: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    if fnmatch.fnmatchcase(rel_path, pattern):
        return True
    # A pattern naming a folder matches everything below it.
    return rel_path.startswith(pattern + "/") or fnmatch.fnmatchcase(rel_path, pattern + "/*")


@functools.cache
def _selects(select: tuple, extend_select: tuple, ignore: tuple, rule_id: str) -> bool:
    """Whether a selection enables a rule; cached, as it runs for every finding."""
    rule = registry.get_rule(rule_id)
    if select:
        chosen = any(registry.matches(s, rule) for s in select)
    else:
        chosen = rule.enabled_by_default
    chosen = chosen or any(registry.matches(s, rule) for s in extend_select)
    return chosen and not any(registry.matches(s, rule) for s in ignore)


# -- loading ----------------------------------------------------------------------------

_FIELDS = {f.name: f for f in dataclasses.fields(Config)}
_NOT_IN_FILE = {"root", "config_file"}


def find_config_file(start: str) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.hublint]`` table, from ``start`` up."""
    here = Path(start).resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        try:
            if candidate.is_file() and "[tool.hublint" in candidate.read_text(encoding="utf-8", errors="replace"):
                return candidate
        except OSError:
            continue
    return None


def load(config_file: str | Path | None = None, start: str = ".", **overrides) -> Config:
    """Read the configuration (explicit file, else the nearest one) and apply ``overrides``.

    ``overrides`` use field names (``dropout_rate_max=0.4``); ``None`` values are ignored.
    """
    path = Path(config_file) if config_file else find_config_file(start)
    values: dict = {}
    if path is not None:
        values.update(_read_table(path))
        values["root"] = str(path.parent)
        values["config_file"] = str(path)
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        config = Config(**values)
        # Validate selectors now, with a clear message (imports a pass only to look up its rules).
        registry.validate((*config.select, *config.extend_select, *config.ignore))
        for _, selectors in config.per_file_ignores:
            registry.validate(selectors)
    except ValueError as exc:
        where = f" in {path}" if path else ""
        raise ConfigError(f"invalid configuration{where}: {exc}") from None
    if config.scope not in ("module", "all"):
        raise ConfigError(f"invalid configuration: scope must be 'module' or 'all', not {config.scope!r}")
    return config


def _read_table(path: Path) -> dict:
    import tomllib  # only when there is a configuration file to read

    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read configuration {path}: {exc}") from None
    table = document.get("tool", {}).get("hublint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.hublint] must be a table")
    values = {}
    for key, raw in table.items():
        name = key.replace("-", "_")
        if name not in _FIELDS or name in _NOT_IN_FILE:
            known = ", ".join(sorted(k.replace("_", "-") for k in _FIELDS if k not in _NOT_IN_FILE))
            raise ConfigError(f"{path}: unknown option {key!r} in [tool.hublint] (known: {known})")
        values[name] = coerce(name, raw, where=f"{path}: {key}")
    return values


def coerce(name: str, raw, where: str = ""):
    """Turn a TOML or command-line value into the type of field ``name``."""
    where = where or name.replace("_", "-")
    kind = _FIELDS[name].type
    try:
        if name == "fail_on":
            value = str(raw).strip().lower()
            return value if value == "never" else Severity.parse(value).label
        if name == "per_file_ignores":
            if not isinstance(raw, dict):
                raise TypeError("must be a table of glob = [rules]")
            return tuple((str(glob), _as_tuple(rules)) for glob, rules in raw.items())
        if kind.startswith("tuple"):
            return _as_tuple(raw)
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in ("1", "true", "yes", "on"):
                return True
            if str(raw).lower() in ("0", "false", "no", "off"):
                return False
            raise TypeError("must be true or false")
        if kind == "int":
            if isinstance(raw, bool):
                raise TypeError("must be an integer")
            return int(raw)
        if kind == "float":
            if isinstance(raw, bool):
                raise TypeError("must be a number")
            return float(raw)
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _as_tuple(raw) -> tuple[str, ...]:
    if isinstance(raw, str):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if isinstance(raw, (list, tuple)):
        return tuple(str(part) for part in raw)
    raise TypeError("must be a list of strings")
