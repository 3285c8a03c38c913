"""The HTML report in a real headless Chromium: loads clean, filters work, and without JavaScript shows everything."""

from __future__ import annotations

import os
import shutil

import pytest

from hublint.config import Config
from hublint.report import html_report
from tests.conftest import exported_module
from tests.report_samples import sample_result

#: Found the way scripts/check.sh finds (and installs) it: `command -v chromium`.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

if CHROMIUM is None:
    if os.environ.get("CI"):  # CI installs it (scripts/check.sh): its absence there is a broken set-up
        pytest.fail("chromium is not on PATH (scripts/check.sh installs it)", pytrace=False)
    pytest.skip("chromium is not on PATH (apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")

FINDING = "article.finding"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def report_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(html_report.TIMESTAMP_ENV, raising=False)
    config = Config(cache=False, root=str(tmp_path))
    page_file = tmp_path / "report.html"
    page_file.write_text(html_report.render(sample_result(tmp_path, config), config), encoding="utf-8")
    return page_file.as_uri()


def open_page(browser, url, **context_options):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: None if request.url.startswith(("file:", "data:", "about:"))
            else problems.append(f"network request to {request.url}"))
    page.goto(url)
    return context, page, problems


def visible(page, selector: str = FINDING) -> int:
    return page.locator(f"{selector}:visible").count()


def test_filters_hide_and_show_the_right_rows(browser, report_url, tmp_path):
    context, page, problems = open_page(browser, report_url)
    try:
        assert page.locator("#filters").is_visible()
        assert visible(page) == 7 and page.locator("#shown-count").inner_text() == "7"

        page.uncheck("input[name=severity][value=error]")
        assert visible(page) == 3
        assert visible(page, f"{FINDING}[data-severity=error]") == 0
        assert page.locator("#shown-count").inner_text() == "3"
        assert not page.locator("section#file-2").is_visible()  # src/broken.py: only an error

        page.uncheck("input[name=severity][value=info]")
        assert visible(page) == 2

        page.click("#filter-reset")
        assert visible(page) == 7

        page.select_option("#rule-filter", "HUB202")
        assert visible(page) == 1
        assert page.locator(f"{FINDING}:visible").get_attribute("data-rule") == "HUB202"
        assert visible(page, "section.group[data-findings]") == 1

        page.select_option("#rule-filter", "HUB001")
        assert visible(page) == 3
        page.uncheck("input[name=severity][value=error]")
        assert visible(page) == 0 and page.locator("#shown-count").inner_text() == "0"

        page.click("#filter-reset")
        page.click("svg a[data-filter-rule=HUB203]")  # a bar of the chart filters to its rule
        assert visible(page) == 1 and page.locator("#rule-filter").input_value() == "HUB203"

        page.click("#filter-reset")
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        assert (tmp_path / "report.png").stat().st_size > 10_000
        assert problems == []
    finally:
        context.close()


def test_without_javascript_every_row_is_shown(browser, report_url):
    context, page, problems = open_page(browser, report_url, java_script_enabled=False)
    try:
        assert visible(page) == 7
        assert not page.locator("#filters").is_visible()
        assert page.locator("section#module-1 details.summary-block").is_visible()
        example = page.locator("dl.rules details >> nth=0")
        assert not example.locator("pre").is_visible()
        example.locator("summary").click()  # native <details> opens without script
        assert example.locator("pre").is_visible()
        assert problems == []
    finally:
        context.close()


def test_a_cause_on_many_nodes_is_one_row_that_expands(browser, tmp_path, monkeypatch):
    from hublint.runner import run

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(html_report.TIMESTAMP_ENV, raising=False)
    shutil.copytree(exported_module("optimizer_slots_missing"), tmp_path / "slots")  # six HUB211, one cause
    config = Config(cache=False, root=str(tmp_path))
    result = run(["slots"], config)
    page_file = tmp_path / "grouped.html"
    page_file.write_text(html_report.render(result, config), encoding="utf-8")
    context, page, problems = open_page(browser, page_file.as_uri())
    try:
        row = page.locator(f"{FINDING}.grouped[data-rule=HUB211]")
        assert row.count() == 1 and row.get_attribute("data-count") == "6"
        assert "6 times" in row.locator("p.msg").inner_text()
        items = row.locator("details.instances li")
        assert items.count() == 6 and visible(page, "details.instances li") == 0
        row.locator("details.instances summary").click()  # the native <details> expands
        assert visible(page, "details.instances li") == 6
        assert "beta1_power" in items.first.inner_text()
        # The count of shown findings counts every instance of the row.
        assert page.locator("#shown-count").inner_text() == str(len(result.findings))
        page.select_option("#rule-filter", "HUB211")
        assert page.locator("#shown-count").inner_text() == "6" and visible(page) == 1
        assert problems == []
    finally:
        context.close()
