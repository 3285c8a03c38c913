"""The shipped examples report exactly what ``examples/README.md`` says they do.

The README table is the one source of truth: each row names an example script
or an example module (``[module/](module/)``) and the rules it triggers
(``HUB102 ×2``: twice; ``none``: clean).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path, PurePosixPath

import pytest

from tests.conftest import REPO, cli_findings

EXAMPLES = REPO / "examples"
EXAMPLE_MODULE = "module"  # what module_publisher.py exported
_ROW = re.compile(
    r"^\|\s*\[(?P<name>[\w.]+\.py|[\w.]+/)\]\([\w./]+\)[^|]*\|\s*(?P<rules>[^|]+?)\s*\|\s*$")
_RULE = re.compile(r"^(?P<id>HUB\d{3})(?:\s*×\s*(?P<count>\d+))?$")
_MODULE_FILES = ("saved_model.pb", "saved_model.pbtxt", "tfhub_module.pb")


def readme_table() -> dict[str, Counter]:
    """example (script file name, or module folder name) -> Counter of the rule ids the README promises."""
    table: dict[str, Counter] = {}
    for line in (EXAMPLES / "README.md").read_text(encoding="utf-8").splitlines():
        row = _ROW.match(line)
        if not row:
            continue
        expected: Counter = Counter()
        if row["rules"].strip().lower() != "none":
            for part in row["rules"].split(","):
                rule = _RULE.match(part.strip())
                assert rule, f"README: cannot read {part.strip()!r} in the row of {row['name']}"
                expected[rule["id"]] += int(rule["count"] or 1)
        table[row["name"].rstrip("/")] = expected
    return table


EXPECTED = readme_table()


def example_of(finding: dict) -> str:
    """The example a finding belongs to: its script's file name or its module's folder name."""
    return PurePosixPath(finding["path"]).relative_to("examples").parts[0]


@pytest.fixture(scope="module")
def examples_run():
    """One CLI run over the whole folder (the README's first command): exit code, findings per example."""
    code, findings = cli_findings(str(EXAMPLES.relative_to(REPO)), cwd=REPO)
    per_example: dict[str, list[dict]] = {}
    for finding in findings:
        per_example.setdefault(example_of(finding), []).append(finding)
    return code, per_example


def test_readme_describes_every_example():
    scripts = {path.name for path in EXAMPLES.glob("*.py")}
    modules = {path.name for path in EXAMPLES.iterdir()
               if path.is_dir() and any((path / name).is_file() for name in _MODULE_FILES)}
    assert scripts | modules == set(EXPECTED), "examples/README.md and examples/ disagree"
    assert EXAMPLE_MODULE in modules, "examples/ has no module: `hublint examples/` would show no module pass"
    assert any(not rules for rules in EXPECTED.values()), "the README names no clean example"


def test_examples_folder_fails(examples_run):
    code, _ = examples_run
    assert code == 1


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_example_findings_match_readme(example, examples_run):
    _, per_example = examples_run
    assert Counter(f["rule_id"] for f in per_example.get(example, [])) == EXPECTED[example]


def test_clean_example_passes():
    code, findings = cli_findings(str(EXAMPLES / "clean_module.py"), cwd=REPO)
    assert findings == []
    assert code == 0


def test_example_module_shows_what_its_publisher_does_wrong(examples_run):
    """Each module finding on module/ has its cause in module_publisher.py, which exported it.

    - the two ``tf.layers.dense`` calls have no ``kernel_regularizer`` (HUB102 at each), so the kernels
      they create, ``dense/kernel`` and ``dense_1/kernel``, get no loss in ``REGULARIZATION_LOSSES``:
      HUB202 names exactly those two, and HUB201 says that no meta graph has the collection at all;
    - ``tf.nn.dropout(rate=dropout_rate)`` runs unconditionally in ``module_fn`` (HUB104), and the
      module has only the default tag set, the graph consumers run for inference: HUB204 finds that
      dropout there at the same rate, 0.2, and HUB207 says no meta graph is tagged ``train``.
    """
    _, per_example = examples_run
    script = per_example["module_publisher.py"]
    module = per_example[EXAMPLE_MODULE]
    assert {f["path"] for f in module} == {f"examples/{EXAMPLE_MODULE}"}
    assert all(f["tag_set"] == [] for f in module)

    def of(findings, rule_id):
        return [f for f in findings if f["rule_id"] == rule_id]

    unregularized = sorted(f["node"] for f in of(module, "HUB202"))
    assert unregularized == ["dense/kernel", "dense_1/kernel"]
    assert len(of(script, "HUB102")) == len(unregularized)
    assert all("tf.layers.dense" in f["message"] for f in of(script, "HUB102"))
    [no_collection] = of(module, "HUB201")
    assert all(f"`{kernel}`" in no_collection["message"] for kernel in unregularized)

    [always_on] = of(script, "HUB104")
    [at_inference] = of(module, "HUB204")
    [no_train_graph] = of(module, "HUB207")
    assert "tf.nn.dropout" in always_on["message"]
    source_rate = re.search(r"rate=([\d.]+)", always_on["message"])[1]
    module_rate = re.search(r"\(rate ([\d.]+)\)", at_inference["message"])[1]
    assert float(source_rate) == float(module_rate) == 0.2
    assert at_inference["node"].startswith("dropout/") and no_train_graph["node"] == at_inference["node"]


def test_example_module_is_small():
    """It is committed and read by the README's first command: a few KB, not a model's weights."""
    module = EXAMPLES / EXAMPLE_MODULE
    size = sum(path.stat().st_size for path in module.rglob("*") if path.is_file())
    assert size < 16 * 1024, f"examples/{EXAMPLE_MODULE} is {size} bytes"
