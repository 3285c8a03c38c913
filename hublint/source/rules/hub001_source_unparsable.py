from hublint.finding import Severity
from hublint.rule import CoreRule


class SourceUnparsable(CoreRule):
    id = "HUB001"
    name = "source-unparsable"
    severity = Severity.ERROR
    summary = (
        "Reports a Python file that hublint cannot read or parse: a syntax error, Python 2 code, "
        "a bad encoding, NUL bytes, nesting that exhausts the parser, a file that is unreadable "
        "or larger than `max-file-bytes`. The rest of the run goes on."
    )
    rationale = (
        "A file hublint cannot parse is a file it cannot check: any publisher mistake in it goes "
        "unreported. Saying so is better than a silent pass or a crash that loses the whole run."
    )
    message = "cannot lint this file: {reason}"
    fix = "fix the file so that Python 3 can parse it, or exclude it with `exclude` / `--exclude`"
    options = ("max-file-bytes", "exclude")
    bad = ("def module_fn(:\n    pass\n", 'print "exporting module"\n')
    good = ("def module_fn():\n    pass\n",)
