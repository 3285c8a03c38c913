"""Benchmark of hublint's source pass on real TensorFlow code.

    python bench/source_pass.py            # tf-slim + tf-keras + keras (~5 * 10^5 lines)
    python bench/source_pass.py --quick    # tf-slim only

The corpus is the Python source of ``tf-slim``, ``tf-keras`` and ``keras`` from
PyPI, installed with ``--no-deps`` (no TensorFlow: only their .py files are read)
into a venv under ``~/.cache/hublint/bench-corpus``.  Each command runs in a fresh
wrapper process that reports its wall time and the peak RSS of its children
(``RUSAGE_CHILDREN``: the largest single process, so a worker pool's total can be
higher).  Measured, in one run:

a. ``hublint --no-cache`` (default jobs: one per core);
b. ``pylint --load-plugins=hublint.pylint_plugin --disable=all --enable=<hublint's
   default messages>`` (pylint's default jobs);
c. ``hublint`` with a fresh cache dir, cold and then warm over unchanged files.

Targets: hublint >= 10x faster than (b), >= 30,000 lines/s, warm cache >= 5x
faster than cold.  Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import venv
from dataclasses import dataclass
from pathlib import Path

CORPUS_VENV = Path.home() / ".cache" / "hublint" / "bench-corpus"
PACKAGES = {"tf-slim": "tf_slim", "tf-keras": "tf_keras", "keras": "keras"}
QUICK_PACKAGES = ("tf-slim",)
TARGET_SPEEDUP_VS_PYLINT = 10.0
TARGET_LINES_PER_SECOND = 30_000
TARGET_WARM_SPEEDUP = 5.0

# Runs one command and prints its wall time and its children's peak RSS as JSON;
# a fresh interpreter per command, because RUSAGE_CHILDREN is a maximum over all
# children a process ever waited for.
_WRAPPER = """
import json, resource, subprocess, sys, time
command, cwd, output = json.loads(sys.argv[1])
with open(output, "w") as out:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=out, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "rss_kib": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime,
                  "returncode": done.returncode, "stderr": done.stderr[-2000:]}))
"""


@dataclass
class Measurement:
    label: str
    wall: float
    rss_kib: int
    cpu: float
    returncode: int
    output: str


def site_packages(root: Path) -> Path:
    return root / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


def ensure_corpus(packages: tuple[str, ...]) -> list[Path]:
    """The source folders of ``packages``, pip-installed into the corpus venv if missing."""
    if not (CORPUS_VENV / "bin" / "python").exists():
        print(f"creating {CORPUS_VENV}", file=sys.stderr)
        venv.create(CORPUS_VENV, with_pip=True)
    folders = [site_packages(CORPUS_VENV) / PACKAGES[name] for name in packages]
    missing = [name for name, folder in zip(packages, folders) if not folder.is_dir()]
    if missing:
        print(f"installing {', '.join(missing)} (--no-deps) into {CORPUS_VENV}", file=sys.stderr)
        subprocess.run(
            [str(CORPUS_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", *missing],
            check=True,
        )
    return folders


def count_lines(folders: list[Path]) -> tuple[int, int]:
    """(Python files, lines) under ``folders``: what the source pass reads."""
    files = lines = 0
    for folder in folders:
        for path in folder.rglob("*.py"):
            files += 1
            with open(path, "rb") as handle:
                lines += sum(1 for _ in handle)
    return files, lines


def measure(label: str, command: list[str], cwd: Path, ok_codes: set[int]) -> Measurement:
    with tempfile.NamedTemporaryFile("r", suffix=".out", delete=False) as output:
        output_path = output.name
    try:
        done = subprocess.run(
            [sys.executable, "-c", _WRAPPER, json.dumps([command, str(cwd), output_path])],
            capture_output=True,
            text=True,
            check=True,
        )
        stats = json.loads(done.stdout)
        text = Path(output_path).read_text(encoding="utf-8", errors="replace")
    finally:
        os.unlink(output_path)
    if stats["returncode"] not in ok_codes:
        print(f"{label}: exit code {stats['returncode']}\n{stats['stderr']}", file=sys.stderr)
    print(f"  {label}: {stats['wall']:.1f} s", file=sys.stderr)
    return Measurement(label, stats["wall"], stats["rss_kib"], stats["cpu"], stats["returncode"], text)


def measure_cache(paths: list[str], scratch: Path, ok_codes: set[int]) -> tuple[Measurement, Measurement]:
    """A cold run with a fresh cache dir, then a warm one over the same, unchanged files.

    The cache is keyed by hublint's own code, so an edit to hublint between the two
    runs (someone working in the tree) makes the warm run cold too: then the pair is
    measured again, up to three times.
    """
    command = hublint_command("--format", "json", *paths)
    for attempt in range(1, 4):
        cwd = scratch / f"cache-{attempt}"
        cwd.mkdir()
        cold = measure("hublint cold cache", command, cwd, ok_codes)
        warm = measure("hublint warm cache", command, cwd, ok_codes)
        if len(list((cwd / ".hublint_cache").glob("source-*.json"))) == 1:
            break
        print("  hublint's code changed between the cold and warm runs: measuring again", file=sys.stderr)
        warm.label += " (invalid: code changed)"
    return cold, warm


def hublint_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "hublint", *args]


def pylint_command(folders: list[Path], jobs: int | None) -> list[str]:
    from hublint.pylint_plugin import plugin_rules, pylint_msgid

    enabled = ",".join(pylint_msgid(rule) for rule in plugin_rules() if rule.enabled_by_default)
    command = [sys.executable, "-m", "pylint", "--load-plugins=hublint.pylint_plugin", "--disable=all",
               f"--enable={enabled}", "--persistent=n", "--score=n", "--output-format=json"]
    if jobs is not None:
        command.append(f"--jobs={jobs}")
    return command + [str(folder) for folder in folders]


def count_findings(measurement: Measurement, kind: str) -> int | str:
    try:
        data = json.loads(measurement.output)
    except ValueError:
        return "?"
    if kind == "hublint":
        return len(data["findings"])
    # pylint reports unknown pragmas (the corpus's own g-* options) even with --disable=all.
    from hublint.pylint_plugin import plugin_rules, pylint_msgid

    msgids = {pylint_msgid(rule) for rule in plugin_rules()}
    return sum(1 for message in data if message["message-id"] in msgids)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK_PACKAGES)}")
    parser.add_argument("--pylint-jobs", type=int, metavar="N",
                        help="also measure pylint with --jobs=N (the comparison uses pylint's default)")
    parser.add_argument("--json", metavar="FILE", help="also write the numbers to FILE")
    args = parser.parse_args(argv)

    packages = QUICK_PACKAGES if args.quick else tuple(PACKAGES)
    folders = ensure_corpus(packages)
    files, lines = count_lines(folders)
    paths = [str(folder) for folder in folders]
    print(f"corpus: {', '.join(packages)}: {files} files, {lines} lines; {os.cpu_count()} cores", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="hublint-bench-") as scratch:
        # cwd is a folder without pyproject.toml: default configuration, cache under it.
        cwd = Path(scratch)
        hublint_ok = {0, 1}
        no_cache = measure("hublint --no-cache", hublint_command("--no-cache", "--format", "json", *paths),
                           cwd, hublint_ok)
        pylint_ok = set(range(0, 32)) - {1}  # pylint's exit status is a bit mask; 1 is a fatal error
        pylint = measure("pylint + plugin", pylint_command(folders, None), cwd, pylint_ok)
        extra_pylint = None
        if args.pylint_jobs is not None:
            extra_pylint = measure(f"pylint -j{args.pylint_jobs}", pylint_command(folders, args.pylint_jobs),
                                   cwd, pylint_ok)
        cold, warm = measure_cache(paths, cwd, hublint_ok)

    rows = [(no_cache, "hublint"), (pylint, "pylint")]
    if extra_pylint:
        rows.append((extra_pylint, "pylint"))
    rows += [(cold, "hublint"), (warm, "hublint")]
    print(f"\ncorpus: {', '.join(packages)} -- {files} files, {lines:,} lines, {os.cpu_count()} cores\n")
    print(f"{'run':<22}{'wall s':>9}{'cpu s':>9}{'lines/s':>11}{'peak RSS MiB':>14}{'findings':>10}{'exit':>6}")
    for measurement, kind in rows:
        print(f"{measurement.label:<22}{measurement.wall:>9.2f}{measurement.cpu:>9.2f}"
              f"{lines / measurement.wall:>11,.0f}{measurement.rss_kib / 1024:>14.0f}"
              f"{count_findings(measurement, kind):>10}{measurement.returncode:>6}")

    checks = [
        ("hublint vs pylint+plugin", pylint.wall / no_cache.wall, TARGET_SPEEDUP_VS_PYLINT, "x faster"),
        ("hublint lines/s", lines / no_cache.wall, TARGET_LINES_PER_SECOND, "lines/s"),
        ("warm vs cold cache", cold.wall / warm.wall, TARGET_WARM_SPEEDUP, "x faster"),
    ]
    print(f"\n{'target':<26}{'measured':>14}{'target':>12}")
    missed = 0
    for name, value, target, unit in checks:
        met = value >= target
        missed += not met
        print(f"{name:<26}{value:>14,.1f}{'>= ' + format(target, ',.0f'):>12} {unit:<9}{'ok' if met else 'MISSED'}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "corpus": {"packages": list(packages), "files": files, "lines": lines, "cores": os.cpu_count()},
            "runs": [{"label": m.label, "wall": m.wall, "cpu": m.cpu, "rss_kib": m.rss_kib,
                      "returncode": m.returncode} for m, _ in rows],
            "targets": [{"name": n, "value": v, "target": t, "met": v >= t} for n, v, t, _ in checks],
        }, indent=2) + "\n")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
