"""Benchmark of hublint's module pass against TensorFlow's own tools on a large real module.

    python bench/module_pass.py                 # builds (or reuses) the inception_v3 module
    python bench/module_pass.py --module DIR    # any exported module instead

The module is tf-slim's inception_v3 wrapped in a TF1 Hub module (~100 MB of
variables, two tag sets), built by ``bench/build_large_module.py`` into
``~/.cache/hublint/bench-large-module`` and reused while it exists.

hublint is measured the way users run it: the ``hublint`` command of a clean
venv, ``~/.cache/hublint/bench-venv``, created on first use (``pip install`` of
this checkout with its dependencies) and refreshed from the checkout on every
run (``pip install --force-reinstall --no-deps``), so neither an editable
install nor the development environment's site-packages (pytest plugins,
.pth files) is in the measured start-up; ``--no-venv`` measures
``python -m hublint`` with the current interpreter instead.  Each
command runs in a fresh wrapper process that reports its wall time and the peak
RSS of its child (``RUSAGE_CHILDREN``).  Measured, in one run (best of
``--repeat`` wall times, largest peak RSS):

a. ``hublint --no-cache MODULE``;
b. ``saved_model_cli show --all --dir MODULE`` from the TF toolchain venv;
c. loading every tag set with ``tf.compat.v1.saved_model.loader.load`` in a
   fresh TF process (graph import plus variable restore);
d. ``hublint`` on a copy of the module whose data shards are 10x bigger (sparse
   padding), and on the smallest test module: hublint's peak memory must not
   depend on the size of the shards.

Targets: (a) >= 15x faster than (b) and peak RSS <= 1/5 of (b); (d) within 10%
of (a).  Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOOLCHAIN = Path.home() / ".cache" / "hublint" / "tf-toolchain"
BENCH_VENV = Path.home() / ".cache" / "hublint" / "bench-venv"
LARGE_MODULE = Path.home() / ".cache" / "hublint" / "bench-large-module"
SMALL_MODULE = REPO / "tests" / "modules" / "exported" / "dense_l2"
TARGET_SPEEDUP = 15.0
TARGET_MEMORY_RATIO = 5.0
SHARD_PADDING = 10

# Runs one command and prints its wall time and its child's peak RSS as JSON; a fresh
# interpreter per command, because RUSAGE_CHILDREN is a maximum over all children ever waited for.
_WRAPPER = """
import json, resource, subprocess, sys, time
command = json.loads(sys.argv[1])
start = time.perf_counter()
done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "peak_mib": peak_kib / 1024, "code": done.returncode,
                  "stderr": done.stderr[-2000:]}))
"""

# Loads every tag set of a module the way a TF1 consumer's process would.
_TF_LOAD = """
import sys
import tensorflow.compat.v1 as tf
from tensorflow.core.protobuf import saved_model_pb2
path = sys.argv[1]
saved_model = saved_model_pb2.SavedModel()
with open(path + "/saved_model.pb", "rb") as handle:
    saved_model.ParseFromString(handle.read())
for meta_graph in saved_model.meta_graphs:
    with tf.Graph().as_default(), tf.Session() as session:
        tf.saved_model.loader.load(session, list(meta_graph.meta_info_def.tags), path)
"""


def measure(command: list[str], repeat: int, allowed_codes=(0,)) -> dict:
    runs = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", _WRAPPER, json.dumps(command)],
                              capture_output=True, text=True, check=True)
        run = json.loads(done.stdout)
        if run["code"] not in allowed_codes:
            raise SystemExit(f"command failed ({run['code']}): {' '.join(command)}\n{run['stderr']}")
        runs.append(run)
    return {"wall": min(r["wall"] for r in runs), "peak_mib": max(r["peak_mib"] for r in runs)}


def ensure_large_module(path: Path) -> Path:
    if (path / "saved_model.pb").exists() and (path / "variables" / "variables.index").exists():
        return path
    print(f"building the large module into {path} (several minutes) ...", flush=True)
    subprocess.run([sys.executable, str(REPO / "bench" / "build_large_module.py"), str(path)], check=True)
    return path


def bench_hublint() -> list[str]:
    """The ``hublint`` command of a clean venv holding this checkout (created, else refreshed)."""
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {BENCH_VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(BENCH_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(REPO)], check=True)
    else:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", str(REPO)],
                       check=True)
    return [str(BENCH_VENV / "bin" / "hublint")]


def padded_copy(module: Path, folder: Path) -> Path:
    """A copy of ``module`` whose data shards are SHARD_PADDING times bigger (sparse: no disk used)."""
    copy = folder / "padded"
    shutil.copytree(module, copy)
    for shard in (copy / "variables").glob("variables.data-*"):
        with open(shard, "r+b") as handle:
            handle.truncate(shard.stat().st_size * SHARD_PADDING)
    return copy


def shard_bytes(module: Path) -> int:
    return sum(p.stat().st_size for p in (module / "variables").glob("variables.data-*"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", type=Path, help="the module to measure (default: the large inception_v3 module)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per command (best wall time is kept)")
    parser.add_argument("--skip-load", action="store_true", help="do not measure (c), loading with TensorFlow")
    parser.add_argument("--no-venv", action="store_true",
                        help=f"measure `python -m hublint` with this interpreter, not the clean venv {BENCH_VENV}")
    args = parser.parse_args(argv)

    module = args.module or ensure_large_module(LARGE_MODULE)
    hublint = [sys.executable, "-m", "hublint"] if args.no_venv else bench_hublint()
    hublint += ["--no-cache", "--fail-on", "never"]
    saved_model_cli = [str(TOOLCHAIN / "bin" / "saved_model_cli"), "show", "--all", "--dir", str(module)]
    tf_python = str(TOOLCHAIN / "bin" / "python")

    rows = []
    print(f"module: {module} ({shard_bytes(module) / 2**20:.1f} MiB of variables, "
          f"saved_model.pb {(module / 'saved_model.pb').stat().st_size / 2**20:.1f} MiB)", flush=True)
    results = {"hublint": measure(hublint + [str(module)], args.repeat)}
    rows.append(("a. hublint", results["hublint"]))
    results["saved_model_cli"] = measure(saved_model_cli, args.repeat)
    rows.append(("b. saved_model_cli show --all", results["saved_model_cli"]))
    if not args.skip_load:
        results["tf_load"] = measure([tf_python, "-c", _TF_LOAD, str(module)], 1)
        rows.append(("c. TF loader.load, every tag set", results["tf_load"]))
    with tempfile.TemporaryDirectory() as folder:
        padded = padded_copy(module, Path(folder))
        results["hublint_padded"] = measure(hublint + [str(padded)], args.repeat)
        rows.append((f"d. hublint, shards x{SHARD_PADDING} ({shard_bytes(padded) / 2**20:.0f} MiB)",
                     results["hublint_padded"]))
    if SMALL_MODULE.is_dir():
        results["hublint_small"] = measure(hublint + [str(SMALL_MODULE)], args.repeat)
        rows.append((f"d. hublint, {SMALL_MODULE.name} ({shard_bytes(SMALL_MODULE) / 2**10:.0f} KiB)",
                     results["hublint_small"]))

    print(f"\n{'command':<44} {'wall s':>8} {'peak RSS MiB':>13}")
    for label, run in rows:
        print(f"{label:<44} {run['wall']:>8.2f} {run['peak_mib']:>13.1f}")

    speedup = results["saved_model_cli"]["wall"] / results["hublint"]["wall"]
    memory_ratio = results["saved_model_cli"]["peak_mib"] / results["hublint"]["peak_mib"]
    padding_growth = results["hublint_padded"]["peak_mib"] / results["hublint"]["peak_mib"]
    checks = [
        (f"hublint vs saved_model_cli: {speedup:.1f}x faster (target >= {TARGET_SPEEDUP:g}x)",
         speedup >= TARGET_SPEEDUP),
        (f"hublint peak RSS is 1/{memory_ratio:.1f} of saved_model_cli's (target <= 1/{TARGET_MEMORY_RATIO:g})",
         memory_ratio >= TARGET_MEMORY_RATIO),
        (f"peak RSS with {SHARD_PADDING}x bigger shards: x{padding_growth:.2f} (target <= x1.10)",
         padding_growth <= 1.10),
    ]
    if "tf_load" in results:
        print(f"\nhublint vs loading with TensorFlow: {results['tf_load']['wall'] / results['hublint']['wall']:.1f}x "
              f"faster, 1/{results['tf_load']['peak_mib'] / results['hublint']['peak_mib']:.1f} of the memory")
    print()
    for text, ok in checks:
        print(("PASS " if ok else "MISS ") + text)
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
