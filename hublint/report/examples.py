"""Regenerate the example reports in ``reports/``: ``python -m hublint.report.examples``.

hublint lints ``examples/`` (publisher code) and the test module
``tests/modules/exported/dense_noreg`` (when it is built) with a fixed
configuration — defaults, no cache, paths relative to the repository — and
writes ``reports/example.html``, ``.sarif`` and ``.json``.  The output is
deterministic, so ``tests/test_reports_current.py`` can tell when the
committed reports are stale.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from hublint.config import Config
from hublint.report import get_reporter
from hublint.report.html_report import TIMESTAMP_ENV
from hublint.runner import run

REPO = Path(__file__).resolve().parent.parent.parent
REPORTS_DIR = REPO / "reports"
SOURCE_INPUTS = ("examples",)
MODULE_INPUTS = ("tests/modules/exported/dense_noreg",)
FORMATS = ("html", "sarif", "json")


def inputs(repo: Path = REPO) -> list[str]:
    """The paths linted, relative to ``repo``; modules only once they are built."""
    paths = [p for p in SOURCE_INPUTS if (repo / p).is_dir()]
    paths += [p for p in MODULE_INPUTS if (repo / p).is_dir()]
    return paths


def render_all(repo: Path = REPO) -> dict[str, str]:
    """File name -> content of every example report."""
    config = Config(cache=False, jobs=1, root=str(repo))
    with contextlib.chdir(repo), _without_env(TIMESTAMP_ENV):
        result = run(inputs(repo), config)
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
    if not any((REPO / p).is_dir() for p in MODULE_INPUTS):
        print("note: tests/modules/exported/dense_noreg is not built; the reports cover examples/ only",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
