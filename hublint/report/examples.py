"""Regenerate the example reports in ``reports/``: ``python -m hublint.report.examples``.

hublint lints ``examples/`` — the README's first command: the publisher scripts
and ``examples/module``, the module one of them exported — with a fixed
configuration (defaults, no cache, paths relative to the repository) and
writes ``reports/example.html``, ``.sarif`` and ``.json``.  The output is
deterministic, so ``tests/test_reports_current.py`` can tell when the
committed reports are stale.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path

from hublint.config import Config
from hublint.report import get_reporter
from hublint.report.html_report import TIMESTAMP_ENV
from hublint.runner import run

REPO = Path(__file__).resolve().parent.parent.parent
REPORTS_DIR = REPO / "reports"
INPUTS = ("examples",)  # what `hublint examples/` reads: scripts and examples/module
FORMATS = ("html", "sarif", "json")


def render_all(repo: Path = REPO) -> dict[str, str]:
    """File name -> content of every example report."""
    config = Config(cache=False, jobs=1, root=str(repo))
    with contextlib.chdir(repo), _without_env(TIMESTAMP_ENV):
        result = run(list(INPUTS), config)
        return {f"example.{get_reporter(name).EXTENSION}": get_reporter(name).render(result, config)
                for name in FORMATS}


def write(folder: Path = REPORTS_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_all().items():
        target = folder / name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


@contextlib.contextmanager
def _without_env(name: str):
    saved = os.environ.pop(name, None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ[name] = saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hublint.report.examples", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPORTS_DIR, help="folder to write to (default: reports/)")
    args = parser.parse_args(argv)
    for path in write(args.out):
        print(f"wrote {os.path.relpath(path)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
