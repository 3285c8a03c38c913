"""Run results the reporter tests share: a real run on files made under a tmp folder,
plus module findings and a module summary built by hand (the shape ``hublint show`` prints),
with file names, node names and messages that try to inject markup."""

from __future__ import annotations

import os
from pathlib import Path

from hublint.finding import Finding, Location, Severity
from hublint.runner import run

HOSTILE = '</textarea><script>alert("pwned")</script><img src=x onerror=alert(1)>'
HOSTILE_FILE = 'x"><img src=x onerror=alert(1)>.py'  # a legal file name on POSIX
BROKEN = "import tensorflow.compat.v1 as tf\n\n\ndef module_fn(:\n    pass\n"
CLEAN = "import tensorflow.compat.v1 as tf\n\nRATE = 0.2\n"


def module_summary() -> dict:
    return {
        "format": "TF1 Hub format",
        "tag_sets": [[], ["train"]],
        "signatures": [
            {"name": "default", "inputs": {"x": "float32 [?, 64]"}, "outputs": {"default": "float32 [?, 32]"}},
        ],
        "variables": [
            {"name": "dense/kernel", "shape": [64, 128], "kernel": True, "regularized": True},
            {"name": "dense_1/kernel", "shape": [128, 32], "kernel": True, "regularized": False},
            {"name": HOSTILE, "shape": [3], "kernel": True, "regularized": False},
        ],
        "dropout": [{"node": "dropout/rate", "rate": 0.7, "tag_set": ["train"]}],
        "batch_norm": [{"node": "batch_normalization/FusedBatchNormV3", "momentum": 0.999}],
        "assets": [],
        "notes": HOSTILE,
    }


def module_findings(module_dir: str) -> list[Finding]:
    return [
        Finding(Location(path=module_dir, tag_set=("train",), node="dense_1/kernel"), "HUB202",
                "kernel-unregularized", Severity.WARNING, "kernel dense_1/kernel has no regularization loss",
                "pass `kernel_regularizer=` to the layer that creates dense_1/kernel"),
        Finding(Location(path=module_dir, tag_set=(), node=HOSTILE), "HUB204", "dropout-in-inference-graph",
                Severity.ERROR, f"random dropout op {HOSTILE} in the default tag set", ""),
        Finding(Location(path=module_dir, tag_set=("train",), node="dropout/rate"), "HUB203",
                "dropout-rate-range", Severity.WARNING, "dropout rate 0.7 is above the maximum 0.5", ""),
        Finding(Location(path=module_dir), "HUB215", "oversized-constant", Severity.INFO,
                "constant of 4 MiB embedded in the graph", ""),
    ]


def make_inputs(folder: Path) -> dict[str, str]:
    """Write the sample files and module directory; returns their paths (relative to ``folder``)."""
    (folder / "src").mkdir()
    (folder / "src" / "broken.py").write_text(BROKEN)
    (folder / "src" / "clean.py").write_text(CLEAN)
    (folder / "src" / HOSTILE_FILE).write_text("def f(:\n")
    module = folder / "export" / "mod"
    module.mkdir(parents=True)
    (module / "saved_model.pb").write_bytes(b"\x08\x01")
    return {"src": "src", "module": os.path.join("export", "mod"), "missing": "no_such_file.py"}


def sample_result(folder: Path, config):
    """A real run on the sample files with module findings added.

    Paths are relative: call it, and render, with ``folder`` as the working directory.
    """
    paths = make_inputs(folder)
    result = run([paths["src"], paths["missing"]], config)
    result.modules.append(paths["module"])
    result.module_summaries[paths["module"]] = module_summary()
    # Location ordering cannot compare tag_set None with a tuple, so sort by display text here.
    result.findings = sorted(result.findings + module_findings(paths["module"]),
                             key=lambda f: (f.location.path, f.location.line, f.location.display(), f.rule_id))
    return result
