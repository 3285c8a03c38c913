"""One truth: where the module pass's static readings and the dynamic pass's measurements disagree.

A disagreement is a bug in hublint (the static reading or the measurement is wrong), never
a finding about the module: ``hublint --load --debug`` prints them, and
``tests/test_dynamic.py`` fails on any.
"""

from __future__ import annotations

#: a measured dropout rate is a sample of tens of thousands of units: this covers its 95% bound
DROPOUT_TOLERANCE = 0.03
MOMENTUM_TOLERANCE = 1e-4


def disagreements(summary: dict) -> list[str]:
    """What the static summary of one module says that its ``measured`` entries contradict."""
    problems: list[str] = []
    static_graphs = {tuple(m["tag_set"]): m for m in summary.get("meta_graphs", [])}
    momenta = {b["momentum"] for m in summary.get("meta_graphs", []) for b in m["batch_norms"]
               if b["momentum"] is not None}
    for entry in summary.get("measured", []):
        if "tag_set" not in entry:
            continue  # not run
        where = "{" + ", ".join(entry["tag_set"]) + "}" + (f" {entry['object']}" if entry["object"] else "")
        static = static_graphs.get(tuple(entry["tag_set"]))
        if static is None:
            continue
        if entry["object"] and entry["dropout_rates"]:
            # TF2: the module pass reads each traced function (a layer traced twice is two readings)
            declared = {d["rate"] for d in static["dropouts"] if d["rate"] is not None}
            measured = entry["dropout_rates"]
            if not all(any(abs(a - b) <= DROPOUT_TOLERANCE for b in measured) for a in declared) or \
                    not all(any(abs(a - b) <= DROPOUT_TOLERANCE for b in declared) for a in measured):
                problems.append(f"{where}: dropout rates read {sorted(declared)}, measured {sorted(measured)}")
        if not entry["object"] and entry["dropout_rates"]:
            declared = sorted(d["rate"] for d in static["dropouts"] if d["rate"] is not None)
            measured = sorted(entry["dropout_rates"])
            if len(declared) != len(measured) or any(abs(a - b) > DROPOUT_TOLERANCE
                                                     for a, b in zip(declared, measured)):
                problems.append(f"{where}: dropout rates read {declared}, measured {measured}")
        if entry["training"] is not False:
            for value in entry["batchnorm_momenta"]:
                if momenta and not any(abs(value - m) <= MOMENTUM_TOLERANCE for m in momenta):
                    problems.append(f"{where}: batch-norm momentum measured {value:g}, read {sorted(momenta)}")
        if not entry["object"] and static.get("regularization_losses"):
            kernels = {v["name"] for v in static["variables"] if v.get("kernel")}
            covered = {v["name"] for v in static["variables"] if v.get("kernel") and v.get("regularization_loss")}
            measured_kernels = set(entry["regularization"]["kernels"])
            measured_covered = set(entry["regularization"]["kernels_covered"])
            if measured_kernels != kernels:
                problems.append(f"{where}: kernels read {sorted(kernels)}, found {sorted(measured_kernels)}")
            elif measured_covered != covered:
                problems.append(f"{where}: regularization covers {sorted(covered)} as read, "
                                f"{sorted(measured_covered)} as measured")
    return problems


def print_disagreements(result) -> None:
    """``--load --debug``: name every disagreement of a run on stderr."""
    import sys

    for path, summary in sorted(result.module_summaries.items()):
        for problem in disagreements(summary):
            print(f"hublint: debug: {path}: static reading and measurement disagree (a hublint bug): {problem}",
                  file=sys.stderr)
