#!/usr/bin/env python3
"""Benchmark the dynamic pass (``hublint --load``) against the bare minimum of loading a module.

Usage:
  python bench/dynamic_pass.py MODULE --tf-python PYTHON [--repeat N]

MODULE is a large TF1 Hub module (``bench/build_large_module.py OUT_DIR`` makes
tf-slim's inception_v3, ~100 MB). The bare minimum is what any consumer pays:
import TensorFlow, ``tf.compat.v1.saved_model.loader.load`` of the default tag set,
one ``session.run`` of the default signature on one synthetic example. The target
(issue 8): ``hublint --load`` total wall time <= 2x and peak memory <= 1.5x the bare
minimum, measured in the same run; ``hublint`` without ``--load`` must not get slower.

Peak memory is the maximum resident set size: for the bare minimum that of its one
process; for ``hublint --load`` the sum of hublint's own peak and its TensorFlow
child's (an upper bound: they need not peak together). Each command runs in a fresh
process, ``--repeat`` times; the best wall time and the largest peak are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BARE = r'''
import sys
import numpy as np
import tensorflow.compat.v1 as tf
path = sys.argv[1]
with tf.Graph().as_default() as graph, tf.Session(graph=graph) as session:
    meta = tf.saved_model.loader.load(session, [], path)
    signature = meta.signature_def["default"]
    feeds = {}
    for info in signature.inputs.values():
        shape = [1 if d.size < 0 else d.size for d in info.tensor_shape.dim]
        feeds[info.name] = np.random.RandomState(0).uniform(size=shape).astype(np.float32)
    session.run({k: v.name for k, v in signature.outputs.items()}, feed_dict=feeds)
'''

#: runs a command and prints its wall time and peak RSS (self = the command, children = its children)
MEASURE = r'''
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "returncode": done.returncode, "stderr": done.stderr.decode()[-400:],
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
'''

#: inside hublint's process: its own peak RSS and its TensorFlow child's
HUBLINT = r'''
import json, resource, sys
from hublint.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "children_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}), file=sys.stderr)
'''


def measure(command: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def hublint_run(args: list[str]) -> dict:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", HUBLINT, *args], capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - start
    last = done.stderr.strip().splitlines()[-1]
    data = json.loads(last)
    return {"wall": wall, "peak_kib": data["self_kib"] + data["children_kib"], "code": data["code"],
            "self_kib": data["self_kib"], "children_kib": data["children_kib"]}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module")
    parser.add_argument("--tf-python", required=True)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv[1:])

    bare, loaded, static = [], [], []
    for _ in range(args.repeat):
        result = measure([args.tf_python, "-c", BARE, args.module])
        if result["returncode"]:
            raise SystemExit(f"the bare minimum failed: {result['stderr']}")
        bare.append(result)
        loaded.append(hublint_run([args.module, "--load", "--tf-python", args.tf_python, "--no-cache", "-q",
                                   "--exit-zero"]))
        static.append(hublint_run([args.module, "--no-cache", "-q", "--exit-zero"]))
    bare_wall = min(r["wall"] for r in bare)
    bare_peak = max(r["maxrss_kib"] for r in bare)
    load_wall = min(r["wall"] for r in loaded)
    load_peak = max(r["peak_kib"] for r in loaded)
    static_wall = min(r["wall"] for r in static)
    print(f"module: {args.module}")
    print(f"bare minimum (import TF + loader.load + 1 session.run): {bare_wall:6.2f} s  {bare_peak / 1024:7.0f} MiB")
    print(f"hublint --load:                                         {load_wall:6.2f} s  {load_peak / 1024:7.0f} MiB "
          f"(hublint {max(r['self_kib'] for r in loaded) / 1024:.0f} + child "
          f"{max(r['children_kib'] for r in loaded) / 1024:.0f})")
    print(f"ratio: wall {load_wall / bare_wall:.2f}x (target <= 2), peak {load_peak / bare_peak:.2f}x (target <= 1.5)")
    print(f"hublint without --load:                                 {static_wall:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
