"""rules/*.md are generated from the rule classes; a stale file fails here."""

from hublint import docs


def test_rule_docs_are_current():
    expected = docs.expected_files()
    stale = []
    for name, text in expected.items():
        target = docs.RULES_DIR / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            stale.append(name)
    extra = sorted(p.name for p in docs.RULES_DIR.glob("HUB*.md") if p.name not in expected)
    assert not stale and not extra, f"run 'python -m hublint.docs' (stale: {stale}, extra: {extra})"


def test_rule_doc_has_ruff_headings():
    text = docs.render(next(iter(docs.registry.all_rules())))
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Options"):
        assert heading in text
