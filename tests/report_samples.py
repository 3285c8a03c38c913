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
    """Shaped like ``hublint show --format json`` (hublint/module/show.py)."""

    def meta_graph(tags, dropout_rate):
        return {
            "tag_set": tags,
            "signatures": {"default": {
                "method_name": "",
                "inputs": {"default": {"kind": "dense", "name": "Placeholder:0", "dtype": "float32", "shape": [-1, 64]}},
                "outputs": {"default": {"kind": "dense", "name": "dense_1/BiasAdd:0", "dtype": "float32",
                                        "shape": [-1, 32]}},
            }},
            "variables": [
                {"name": "dense/kernel", "dtype": "float32", "shape": [64, 128], "kernel": True,
                 "regularization_loss": "dense/kernel/Regularizer/l2_regularizer:0"},
                {"name": "dense/bias", "dtype": "float32", "shape": [128], "kernel": False, "regularization_loss": None},
                {"name": "dense_1/kernel", "dtype": "float32", "shape": [128, 32], "kernel": True,
                 "regularization_loss": None},
                {"name": HOSTILE, "dtype": "float32", "shape": [3, 3], "kernel": True, "regularization_loss": None},
            ],
            "dropouts": [{"node": "dropout/rate", "rate": dropout_rate, "conditional": False}],
            "batch_norms": [{"node": "batch_normalization/FusedBatchNormV3", "fused": True, "momentum": 0.999}],
            "assets": [],
        }

    return {
        "path": "export/mod",
        "format": "tf1-hub",
        "module_def": {"format": 3, "required_features": []},
        "meta_graphs": [meta_graph([], 0.7), meta_graph(["train"], 0.7)],
        "notes": HOSTILE,
    }


def module_findings(module_dir: str) -> list[Finding]:
    return [
        Finding(Location(path=module_dir, tag_set=("train",), node="dense_1/kernel", module=module_dir), "HUB202",
                "kernel-unregularized", Severity.WARNING, "kernel dense_1/kernel has no regularization loss",
                "pass `kernel_regularizer=` to the layer that creates dense_1/kernel"),
        Finding(Location(path=module_dir, tag_set=(), node=HOSTILE, module=module_dir), "HUB204", "dropout-in-inference-graph",
                Severity.ERROR, f"random dropout op {HOSTILE} in the default tag set", ""),
        Finding(Location(path=module_dir, tag_set=("train",), node="dropout/rate", module=module_dir), "HUB203",
                "dropout-rate-range", Severity.WARNING, "dropout rate 0.7 is above the maximum 0.5", ""),
        Finding(Location(path=module_dir, module=module_dir), "HUB215", "oversized-constant", Severity.INFO,
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
