"""Inline suppression: on a line, for a block, for a file; stale ones reported as HUB003."""

from __future__ import annotations

from hublint import registry, suppression
from hublint.finding import Location

RULE = registry.get_rule("HUB001")


def finding(line: int, end_line: int = 0):
    return RULE.finding(Location(path="m.py", line=line, column=1, end_line=end_line), reason="x")


def kept_lines(text: str, lines, report_useless=False):
    kept = suppression.apply(text, "m.py", [finding(n) for n in lines], report_useless)
    return sorted((f.location.line, f.rule_id) for f in kept)


def test_trailing_comment_suppresses_its_line_only():
    text = "a = 1  # hublint: disable=HUB001\nb = 2\n"
    assert kept_lines(text, [1, 2]) == [(2, "HUB001")]


def test_rule_may_be_named_by_its_name():
    text = "a = 1  # hublint: disable=source-unparsable\n"
    assert kept_lines(text, [1]) == []


def test_other_rules_are_not_suppressed():
    text = "a = 1  # hublint: disable=HUB003\n"
    assert kept_lines(text, [1]) == [(1, "HUB001")]


def test_comment_on_any_line_of_a_multiline_statement():
    text = "x = f(\n    1,\n    2)  # hublint: disable=HUB001\ny = 3\n"
    assert kept_lines(text, [1, 4]) == [(4, "HUB001")]


def test_standalone_comment_covers_the_rest_of_its_block():
    text = (
        "def module_fn():\n"
        "    # hublint: disable=HUB001\n"
        "    a = 1\n"
        "    b = 2\n"
        "c = 3\n"
    )
    assert kept_lines(text, [3, 4, 5]) == [(5, "HUB001")]


def test_enable_ends_a_block_suppression():
    text = "# hublint: disable=HUB001\na = 1\n# hublint: enable=HUB001\nb = 2\n"
    assert kept_lines(text, [2, 4]) == [(4, "HUB001")]


def test_disable_file_and_disable_all():
    assert kept_lines("a = 1\nb = 2\n# hublint: disable-file=HUB001\n", [1, 2]) == []
    assert kept_lines("a = 1  # hublint: disable\n", [1]) == []
    assert kept_lines("a = 1  # hublint: disable=all\n", [1]) == []


def test_text_in_strings_is_not_a_directive():
    text = 's = "# hublint: disable=HUB001"\n'
    assert kept_lines(text, [1]) == [(1, "HUB001")]


def test_useless_and_unknown_suppressions_become_hub003():
    text = "a = 1  # hublint: disable=HUB001\nb = 2  # hublint: disable=HUB001,NOPE\n"
    result = kept_lines(text, [1], report_useless=True)
    assert result == [(2, "HUB003"), (2, "HUB003")]
    messages = sorted(f.message for f in suppression.apply(text, "m.py", [finding(1)], True))
    assert any("unknown rule 'NOPE'" in m for m in messages)


def test_used_suppression_is_not_reported():
    text = "a = 1  # hublint: disable=HUB001\n"
    assert kept_lines(text, [1], report_useless=True) == []
