"""Measured values in the module pass's messages (``--load``): HUB202-HUB206.

The module pass judges first and never waits for TensorFlow; its findings are final,
frozen data.  Once the child has measured a module, :func:`confirm` asks each module rule
that declares ``measured_note`` for its sentence about what was measured where its finding
points (``rule.measured(finding, Measured)``), and replaces the finding by one whose message
ends with that sentence.  So the rule keeps its words, :class:`Measured` is the one place
that pairs a static reading with the child's numbers, and a run without ``--load`` runs
none of this.  The dynamic rules leave to HUB202-HUB206 what those report
(:func:`reported_statically`, :func:`explained_statically`): one cause, one finding.
"""

from __future__ import annotations

from dataclasses import replace

from hublint import registry
from hublint.finding import Finding

#: a static reading and a measurement of the same dropout rate / momentum agree within these
DROPOUT_TOLERANCE = 0.03
MOMENTUM_TOLERANCE = 1e-4


class Measured:
    """What the child measured on one module, looked up by a static finding's tag set and node."""

    def __init__(self, runs: list[dict], summary: dict):
        self.runs = [run for run in runs if run.get("loaded")]
        self.static = {tuple(m["tag_set"]): m for m in summary.get("meta_graphs", [])}

    def _runs(self, tag_set) -> list[dict]:
        return [run for run in self.runs if tuple(run.get("tag_set", ())) == tuple(tag_set or ())]

    def dropout(self, tag_set, node: str) -> dict | None:
        """``rate``, ``ci95`` and ``where`` of the dropout the module pass reads at ``node``."""
        static = [d for d in self.static.get(tuple(tag_set or ()), {}).get("dropouts", [])]
        for run in self._runs(tag_set):
            if run.get("training") is False:
                continue
            for reading, measured in pair_dropouts(static, run.get("dropouts", [])):
                if reading["node"] == node and measured.get("rate") is not None:
                    return {"rate": measured["rate"], "ci95": measured.get("ci95") or 0.0, "where": where(run)}
        return None

    def momentum(self, tag_set, node: str) -> dict | None:
        """``momentum`` (the measured value nearest the one read at the batch norm ``node``, else
        the most common), ``count`` of ``total`` updated moving statistics that show it, ``where``;
        ``momentum`` None when none updated."""
        static = self.static.get(tuple(tag_set or ()), {})
        declared = next((b["momentum"] for b in static.get("batch_norms", [])
                         if node in (b["node"], b.get("layer")) and b["momentum"] is not None), None)
        for run in self._runs(tag_set):
            if run.get("training") is False or not run.get("batchnorm"):
                continue
            updated = [b["momentum"] for b in run["batchnorm"] if b.get("updated") and b.get("momentum") is not None]
            if not updated:
                return {"momentum": None, "count": 0, "total": len(run["batchnorm"]), "where": where(run)}
            nearest = (min(updated, key=lambda m: abs(m - declared)) if declared is not None
                       else max(set(updated), key=updated.count))
            count = sum(1 for m in updated if abs(m - nearest) <= MOMENTUM_TOLERANCE)
            return {"momentum": nearest, "count": count, "total": len(updated), "where": where(run)}
        return None

    def inference_symptom(self, tag_set, symptom: str) -> str | None:
        """Where an inference run of ``tag_set`` (a tag set without ``train``; TF2: ``training=False``
        or a ``__call__`` without it) measured ``symptom`` (``deterministic`` or
        ``batch_independent``) false, in the user's words; None when none did."""
        from hublint.dynamic.measure import is_inference

        return next((where(run) for run in self._runs(tag_set) if is_inference(run) and run.get(symptom) is False),
                    None)

    def kernel_covered(self, tag_set, variable: str) -> bool | None:
        """Whether the regularization losses' gradient reaches ``variable`` (None: not measured)."""
        for run in self._runs(tag_set) or self.runs:
            regularization = run.get("regularization") or {}
            if variable in regularization.get("kernels", ()):
                return variable in regularization.get("kernels_covered", ())
        return None


def where(run: dict) -> str:
    """Where a run measured, in the user's words: "in the train graph", "with training=True"."""
    if run.get("object"):
        return "in __call__" if run.get("training") is None else f"with training={run['training']}"
    tags = run.get("tag_set") or []
    if "train" in tags:
        return "in the train graph"
    return "in the default graph" if not tags else "in the {" + ", ".join(tags) + "} graph"


def pair_dropouts(static: list[dict], measured: list[dict]) -> list[tuple[dict, dict]]:
    """Static dropout readings with their measurements: by the random op a mask is drawn from
    (TF1 graphs), else one with one, else each reading with the nearest measured rate."""
    pairs, left = [], [m for m in measured if m.get("rate") is not None]
    unpaired = []
    for reading in static:
        match = next((m for m in left if m.get("source") == reading["node"]), None)
        if match is None:
            unpaired.append(reading)
            continue
        pairs.append((reading, match))
        left.remove(match)
    for reading in unpaired:
        if not left:
            break
        if reading.get("rate") is None:
            match = left[0] if len(unpaired) == len(left) == 1 else None
        else:
            match = min(left, key=lambda m: abs(m["rate"] - reading["rate"]))
        if match is not None:
            pairs.append((reading, match))
            if len(left) > 1:
                left.remove(match)
    return pairs


def confirm(findings: list[Finding], measured: Measured) -> list[Finding]:
    """``findings`` of one module with each measurable one's measured value in its message."""
    out = []
    for finding in findings:
        rule = registry.get_rule(finding.rule_id)
        note = rule.measured(finding, measured) if hasattr(rule, "measured_note") else ""
        out.append(replace(finding, message=finding.message + note) if note else finding)
    return out


def reported_statically(rule_id: str, config, path: str) -> bool:
    """Whether the module-pass rule ``rule_id`` judges ``path``: then a dynamic rule leaves its cause to it."""
    return config.is_enabled(rule_id, path)


def explained_statically(rule_id: str, tag_set, static_findings) -> bool:
    """Whether the module pass already reported ``rule_id`` in ``tag_set`` of the module: then a
    measured symptom of that cause (HUB303) is told in that finding's message, not twice."""
    return any(f.rule_id == rule_id and tuple(f.location.tag_set) == tuple(tag_set or ()) for f in static_findings)
