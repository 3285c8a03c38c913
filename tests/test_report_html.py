"""The HTML report: self-contained, escaped, deterministic, with snippets, module summaries and rule docs."""

from __future__ import annotations

import markupsafe
from html.parser import HTMLParser

import pytest

from hublint import registry
from hublint.config import Config
from hublint.finding import Finding, Location, Severity
from hublint.report import html_report
from hublint.runner import RunResult
from tests.conftest import run_cli
from tests.report_samples import HOSTILE, HOSTILE_FILE, sample_result


class Page(HTMLParser):
    """Every start tag with its attributes, and the text inside each <script>."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)

    def all(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(html_report.TIMESTAMP_ENV, raising=False)
    return Config(cache=False, root=str(tmp_path))


@pytest.fixture
def report(tmp_path, config):
    result = sample_result(tmp_path, config)
    return result, html_report.render(result, config)


def test_hostile_names_and_messages_do_not_inject_markup(report):
    _, text = report
    page = Page(text)
    assert len(page.all("script")) == 1 and "alert" not in page.scripts[0]
    assert not page.all("img") and not page.all("textarea")
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs)
    assert "</textarea>" not in text and "<img" not in text
    words = "".join(page.text)
    assert HOSTILE in words  # shown to the reader as text, verbatim
    assert f"src/{HOSTILE_FILE}" in words
    assert str(markupsafe.escape(HOSTILE)) in text


def test_self_contained(report):
    _, text = report
    page = Page(text)
    assert not page.all("link") and not page.all("iframe")
    assert not [a for _, a in page.tags if "src" in a]
    assert "@import" not in text and "url(" not in text
    # Links stay inside the page: hublint has no public site to link to.
    assert all(a["href"].startswith("#") for a in page.all("a"))
    assert "hublint rules HUB" in text  # where the full documentation is instead
    assert len(page.all("style")) == 1 and len(page.all("svg")) == 1


def test_every_finding_is_shown_without_javascript(report):
    result, text = report
    page = Page(text)
    findings = page.all("article")
    assert len(findings) == len(result.findings) == 7
    assert not any("hidden" in attrs for attrs in findings)
    assert not any("hidden" in attrs for attrs in page.all("section"))
    # Only the filter controls, useless without the script, start hidden.
    assert [a.get("id") for _, a in page.tags if "hidden" in a] == ["filters"]
    assert "[hidden] { display: none !important; }" in text
    assert sorted(a["data-rule"] for a in findings) == sorted(f.rule_id for f in result.findings)
    assert {a["data-severity"] for a in findings} == {"error", "warning", "info"}


def test_totals_chart_and_filters(report):
    _, text = report
    page = Page(text)
    assert [a["data-total"] for a in page.all("div") if "data-total" in a] == ["error", "warning", "info"]
    assert '<div class="n" id="total-count">7</div>' in text
    assert '<div class="n" data-total="warning">2</div>' in text
    bars = page.all("rect", **{"class": "bar"})
    assert len(bars) == 5  # HUB001 x3, HUB202, HUB203, HUB204, HUB215
    widths = [int(bar["width"]) for bar in bars]
    assert widths[0] == max(widths) and widths[0] > widths[1]
    options = [a["value"] for a in page.all("option")]
    assert options == ["", "HUB001", "HUB202", "HUB203", "HUB204", "HUB215"]


def test_source_snippets_mark_the_finding_line(report):
    _, text = report
    assert '<span class="l hit"><span class="n">4</span>def module_fn(:</span>' in text
    assert '<span class="n">2</span>' in text and '<span class="n">5</span>' in text


def test_unreadable_or_missing_files_have_no_snippet(tmp_path, config):
    (tmp_path / "folder.py").mkdir()
    findings = [
        Finding(Location("folder.py", 3, 1), "HUB001", "source-unparsable", Severity.ERROR, "a directory"),
        Finding(Location("gone.py", 2, 1), "HUB001", "source-unparsable", Severity.ERROR, "deleted since"),
    ]
    page = html_report.render(RunResult(findings=findings, sources=["folder.py", "gone.py"]), config)
    assert page.count("<article") == 2 and 'class="snippet"' not in page


def test_module_summary_is_rendered(report):
    _, text = report
    words = " ".join("".join(Page(text).text).split())
    assert words.count("1 of 3 kernels regularized (33%)") == 2  # one per meta graph
    assert "Meta graph with tag set {} (default)" in words and "Meta graph with tag set {train}" in words
    assert "dense/kernel/Regularizer/l2_regularizer:0" in words
    assert "<td>input</td><td>default</td><td>float32</td><td>[?, 64]</td><td>Placeholder:0</td>" in text
    assert "0.999" in words and "0.7" in words and "tf1-hub" in words
    assert text.count('<td class="missing">none</td>') == 4  # two unregularized kernels in each meta graph
    assert "Path" not in words.split("Module summary")[1][:50]  # the header already names the module


def test_rule_rationale_and_fix_inline(report):
    result, text = report
    rule = registry.get_rule("HUB001")
    # Every finding links to its rule's entry, which carries the rationale, fix and example.
    assert text.count('<a class="why" href="#rule-HUB001">Why is this bad?</a>') == 3
    assert 'id="rule-HUB001"' in text and "<code>hublint rules HUB001</code>" in text
    assert text.count(str(markupsafe.escape(rule.rationale))) == 1
    assert f"<b>How to fix:</b> {rule.fix.split('`')[0]}<code>" in text
    assert str(markupsafe.escape(rule.good[0].rstrip())) in text
    assert "<code>kernel_regularizer=</code>" in text  # backtick spans in a finding's fix become code


def test_deterministic_unless_a_timestamp_is_asked(report, config, monkeypatch):
    result, text = report
    assert html_report.render(result, config) == text
    assert " UTC" not in text
    monkeypatch.setenv(html_report.TIMESTAMP_ENV, "1")
    assert " UTC" in html_report.render(result, config)


def test_empty_run(config):
    text = html_report.render(RunResult(sources=["a.py"]), config)
    page = Page(text)
    assert not page.all("article") and not page.all("div", id="filters")
    assert "No findings in Python files." in text and "No modules checked." in text


def test_cli_writes_html(tmp_path, config):
    (tmp_path / "bad.py").write_text("def f(:\n")
    done = run_cli("bad.py", "--no-cache", "--output-html", "report.html", cwd=tmp_path)
    assert done.returncode == 1
    page = Page((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert [a["data-rule"] for a in page.all("article")] == ["HUB001"]


def test_a_finding_about_one_file_of_a_module_is_shown_with_the_module(config):
    finding = Finding(Location("mod/variables/variables.index", node="dense/kernel", module="mod"), "HUB211",
                      "checkpoint-inconsistent", Severity.ERROR, "variable dense/kernel is missing")
    text = html_report.render(RunResult(findings=[finding], modules=["mod"]), config)
    module_section = text.split('<h2 id="modules">')[1]
    assert '<span class="where">file variables/variables.index · dense/kernel</span>' in module_section
    assert "No findings in Python files." in text


def test_measured_values_are_shown_next_to_the_declared_ones(tmp_path, config):
    """``--load``: the module section puts each measured run beside the module pass's reading of the
    same graph (the ``measured`` entries of ``hublint show --load --format json``)."""
    from tests.report_samples import module_summary

    summary = module_summary()
    summary["measured"] = [
        {"tag_set": ["train"], "object": "", "training": None, "tensorflow": "2.15.1", "dropout_rates": [0.6981],
         "batchnorm_momenta": [0.999],
         "regularization": {"loss": 0.25, "kernels": ["dense/kernel", "dense_1/kernel", HOSTILE],
                            "kernels_covered": ["dense/kernel"]},
         "deterministic": False, "batch_independent": True},
    ]
    summary["measured_status"] = ""
    result = RunResult(modules=["m"], module_summaries={"m": summary})
    text = html_report.render(result, config)
    words = " ".join("".join(Page(text).text).split())
    assert "Measured (--load) next to declared" in words
    row = text.split("Measured (--load) next to declared")[1].split("</tbody>")[0]
    cells = [c.split("</td>")[0] for c in row.split("<td")[1:]]
    assert [c.split(">", 1)[1] for c in cells] == [
        "{train}", "2.15.1", "0.7", "0.698", "0.999", "0.999", "1 of 3 kernels", "1 of 3 kernels", "no", "yes"]
    assert HOSTILE not in row  # kernel names are counted here, never pasted
    # the generic summary does not repeat the measured list
    assert words.count("0.698") == 1 and "Measured status" not in words


def test_measured_status_says_why_nothing_was_measured(config):
    from tests.report_samples import module_summary

    summary = module_summary()
    summary["measured"] = []
    summary["measured_status"] = "not run: HUB213 flags ops that touch the file system or run code"
    text = html_report.render(RunResult(modules=["m"], module_summaries={"m": summary}), config)
    assert "not run: HUB213 flags ops" in text and "Measured (--load) next to declared" in text
    without_load = html_report.render(RunResult(modules=["m"], module_summaries={"m": module_summary()}), config)
    assert "Measured (--load)" not in without_load
