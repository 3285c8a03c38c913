"""The dynamic pass (``--load``): load each module in TensorFlow, in a child process, and measure it.

hublint's own process never imports TensorFlow.  :func:`run_child` starts
``child.py`` (a script that stands alone: stdlib, NumPy and TensorFlow) under the
interpreter of ``--tf-python`` with a wall-clock timeout, an address-space limit,
no GPU, a private temporary working directory, and reads the one JSON document it
prints.  :func:`measure` turns that document into a :class:`Measurement`, which the
rules HUB301-HUB307 (``hublint/dynamic/rules/``) judge, and into the ``measured``
entries that ``hublint show --load`` prints.
"""

from __future__ import annotations

import os
import re
import sys

DEFAULT_TIMEOUT = 300.0
DEFAULT_MEMORY = 8 << 30
INSTALL_HINT = "pip install 'hublint[tf]', or pass --tf-python PYTHON (an interpreter that has TensorFlow)"
#: what hublint.dynamic.measure provides, imported on first use: a run without --load never pays for it
#: (not its function ``measure``: ``hublint.dynamic.measure`` is the submodule)
_MEASURE = ("LoadOptions", "ChildRun", "Measurement", "run_child", "measure_modules", "measured_entries", "measured_status",
            "attach_measured", "render_measured", "is_train", "is_inference")


def __getattr__(name: str):
    if name in _MEASURE:
        import importlib

        return getattr(importlib.import_module("hublint.dynamic.measure"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class LoadUsageError(ValueError):
    """``--load`` cannot work as asked (no TensorFlow reachable, a bad option): exit 2."""


def parse_memory(text: str) -> int:
    """``8G``, ``512M``, ``2GiB`` or a number of bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", str(text), re.IGNORECASE)
    if not match:
        raise LoadUsageError(f"--load-memory: cannot read {text!r} (use e.g. 8G, 512M or bytes)")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def resolve_python(tf_python: str | None) -> str:
    """The interpreter the child runs under; :class:`LoadUsageError` when none has TensorFlow."""
    if tf_python:
        import shutil

        found = shutil.which(tf_python) or (tf_python if os.path.isfile(tf_python) else None)
        if not found:
            raise LoadUsageError(f"--tf-python: no such interpreter {tf_python!r}")
        return os.path.abspath(found) if os.path.sep in found else found
    import importlib.util

    # find_spec of a top-level package only locates it: TensorFlow is not imported here.
    if importlib.util.find_spec("tensorflow") is None:
        raise LoadUsageError(f"--load needs TensorFlow, and {sys.executable} has none: {INSTALL_HINT}")
    return sys.executable


def add_arguments(parser) -> None:
    """The ``--load`` options of ``hublint`` and ``hublint show``."""
    group = parser.add_argument_group("dynamic pass (loads modules in TensorFlow, in a child process)")
    group.add_argument("--load", action="store_true",
                       help="also load and run each module in TensorFlow and measure it (HUB3xx)")
    group.add_argument("--tf-python", metavar="PYTHON",
                       help="the interpreter that runs TensorFlow (default: this one, if it has TensorFlow)")
    group.add_argument("--trust-module", action="store_true",
                       help="load modules that HUB213 flags (ops that touch files or run code) too")
    group.add_argument("--load-timeout", type=float, metavar="SECONDS",
                       help=f"wall-clock limit per module (default {DEFAULT_TIMEOUT:g})")
    group.add_argument("--load-memory", metavar="SIZE", help="address-space limit of the child (default 8G)")


def options_from_args(args) -> "LoadOptions | None":
    """The dynamic pass's options from parsed arguments; None without ``--load``."""
    if not getattr(args, "load", False):
        for flag in ("tf_python", "load_timeout", "load_memory", "trust_module"):
            if getattr(args, flag, None) not in (None, False):
                raise LoadUsageError(f"--{flag.replace('_', '-')} needs --load")
        return None
    return make_options(args.tf_python, args.load_timeout, args.load_memory, args.trust_module)


def make_options(tf_python=None, timeout=None, memory=None, trust_module=False):
    """:class:`hublint.dynamic.measure.LoadOptions` from the command-line values."""
    from hublint.dynamic.measure import LoadOptions

    python = resolve_python(tf_python)
    timeout = DEFAULT_TIMEOUT if timeout is None else float(timeout)
    if timeout <= 0:
        raise LoadUsageError("--load-timeout must be positive")
    memory_bytes = DEFAULT_MEMORY if memory is None else parse_memory(memory)
    return LoadOptions(python=python, timeout=timeout, memory=memory_bytes, trust_module=trust_module)


