"""The ``hublint`` command.

    hublint [check] [PATH ...]    lint Python files, folders and exported modules
    hublint rules [RULE]          list the rules, or print one rule's documentation
    hublint show MODULE           summarize an exported module

Exit codes: 0 no finding at or above ``--fail-on``; 1 such findings; 2 usage
error (including a path named on the command line that holds nothing to lint),
bad configuration or an internal error (a hublint bug).  2 wins over 1: the
other paths are still linted and reported.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from hublint import __version__, config as config_mod, registry, report
from hublint import dynamic
from hublint.config import ConfigError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
COMMANDS = ("check", "rules", "show")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2 with one line, like argparse, never a traceback
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _check_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hublint",
        description="Lint TensorFlow Hub publisher code and exported modules.",
        epilog="Other commands: 'hublint rules [RULE]', 'hublint show MODULE'. "
        "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 error (also: a PATH that holds nothing to lint).",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files, folders or module directories (default: .)")
    parser.add_argument("--version", action="version", version=f"hublint {__version__}")
    parser.add_argument("--config", metavar="FILE", help="pyproject.toml to read [tool.hublint] from")
    rules = parser.add_argument_group("rule selection")
    rules.add_argument("--select", metavar="RULES", help="only these rules (ids, names or prefixes, comma-separated)")
    rules.add_argument("--extend-select", metavar="RULES", help="add rules to the selection (e.g. HUB003)")
    rules.add_argument("--ignore", metavar="RULES", help="skip these rules")
    rules.add_argument("--scope", choices=("module", "all"),
                       help="HUB102-HUB110 on module code only (default) or on every call site")
    thresholds = parser.add_argument_group("thresholds")
    thresholds.add_argument("--dropout-rate-min", type=float, metavar="RATE", help="flag rates <= this (default 0)")
    thresholds.add_argument("--dropout-rate-max", type=float, metavar="RATE", help="flag rates > this (default 0.5)")
    thresholds.add_argument("--batchnorm-momentum-max", type=float, metavar="M",
                            help="flag momentum / decay > this (default 0.99)")
    thresholds.add_argument("--max-constant-bytes", type=int, metavar="N", help="HUB215 threshold (default 1 MiB)")
    files = parser.add_argument_group("files")
    files.add_argument("--exclude", metavar="GLOBS", help="replace the excluded globs")
    files.add_argument("--extend-exclude", metavar="GLOBS", help="exclude more globs")
    files.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    files.add_argument("--cache-dir", metavar="DIR", help="where the cache lives (default .hublint_cache next to the config)")
    files.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: one per core)")
    files.add_argument("--manifest", metavar="FILE",
                       help="also lint the paths FILE lists, one a line ('#' comments; relative to FILE's folder)")
    known = parser.add_argument_group("baseline")
    known.add_argument("--baseline", metavar="FILE", help="report only findings FILE does not hold "
                       "(default: 'baseline' in [tool.hublint]); --extend-select HUB005 reports its stale entries")
    known.add_argument("--write-baseline", metavar="FILE", help="record every finding of this run in FILE")
    output = parser.add_argument_group("output")
    output.add_argument("--format", default="text", help=f"stdout format: {', '.join(report.FORMATS)} (default text)")
    output.add_argument("--output", "-o", metavar="FILE", help="write the --format output to FILE instead of stdout")
    for name in report.FORMATS:
        output.add_argument(f"--output-{name}", metavar="FILE", help=f"also write the {name} report to FILE")
    output.add_argument("--fail-on", metavar="SEVERITY",
                        help="exit 1 on findings at or above: info, warning (default), error, never")
    output.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings (errors still exit 2)")
    output.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    output.add_argument("--quiet", "-q", action="store_true", help="print nothing when there are no findings")
    output.add_argument("--verbose", "-v", action="store_true",
                        help="text: list each finding of a cause reported on many nodes, not one line with the count")
    output.add_argument("--debug", action="store_true", help="print tracebacks of internal errors")
    dynamic.add_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv and argv[0] in COMMANDS else "check"
    if argv and argv[0] in COMMANDS:
        argv = argv[1:]
    try:
        if command == "rules":
            return _rules_command(argv)
        if command == "show":
            return _show_command(argv)
        return _check_command(argv)
    except KeyboardInterrupt:
        print("hublint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # e.g. 'hublint | head': not an error worth a traceback
        return EXIT_FINDINGS


def _load_config(args) -> config_mod.Config:
    overrides = {}
    for name in ("select", "extend_select", "ignore", "exclude", "extend_exclude", "fail_on", "scope",
                 "dropout_rate_min", "dropout_rate_max", "batchnorm_momentum_max", "max_constant_bytes", "jobs",
                 "cache_dir"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = config_mod.coerce(name, value, where=f"--{name.replace('_', '-')}")
    if getattr(args, "no_cache", False):
        overrides["cache"] = False
    start = args.paths[0] if getattr(args, "paths", None) else "."
    return config_mod.load(args.config, start=start if os.path.exists(start) else ".", **overrides)


def _check_command(argv: list[str]) -> int:
    from hublint.runner import run

    parser = _check_parser()
    args = parser.parse_intermixed_args(argv)  # paths may come after options, as in 'hublint -q a b'

    try:
        reporters = {args.format: args.output}
        for name in report.FORMATS:
            target = getattr(args, f"output_{name}")
            if target:
                reporters[name] = target
        for name in reporters:
            report.get_reporter(name)
        config = _load_config(args)
    except (ConfigError, ValueError) as exc:
        parser.error(str(exc))

    try:
        load = dynamic.options_from_args(args)
    except dynamic.LoadUsageError as exc:
        parser.error(str(exc))
    from hublint import baseline as baseline_mod, manifest, progress

    paths = list(args.paths)
    baseline_file = args.baseline or config.baseline_file
    try:
        if args.manifest:
            paths += manifest.read(args.manifest)
        if baseline_file:
            baseline_mod.read(baseline_file)  # a bad baseline is a usage error before any linting
    except (manifest.ManifestError, baseline_mod.BaselineError) as exc:
        parser.error(str(exc))
    stream = None  # --format jsonl on stdout: each file's or module's line as soon as it is done
    if args.format == "jsonl" and args.output is None and load is None and not args.write_baseline:
        from hublint.report.jsonl_report import Stream

        stream = Stream(sys.stdout, keep=baseline_mod.Baseline(baseline_file).new if baseline_file else None)
    # A bar on the terminal's stderr, unless the stream's lines go to that terminal and show progress.
    bar = progress.progress_bar() if stream is None or not sys.stdout.isatty() else None
    try:
        result = run(paths or ["."], config, load=load, listener=progress.Listeners(bar, stream))
    finally:
        if bar is not None:
            bar.close()
    try:
        if args.write_baseline:
            written = baseline_mod.write(result.findings, args.write_baseline)
            print(f"hublint: wrote {written} finding(s) to the baseline {args.write_baseline}", file=sys.stderr)
            baseline_file = args.write_baseline
        if baseline_file:
            baseline_mod.apply(result, baseline_file, config)
    except baseline_mod.BaselineError as exc:
        print(f"hublint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR

    color = args.color == "always" or (
        args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    ) or (args.color == "auto" and bool(os.environ.get("FORCE_COLOR")))
    for name, target in reporters.items():
        reporter = report.get_reporter(name)
        if target is None:
            if stream is not None and name == args.format:
                stream.finish(result)
                continue
            if args.quiet and not result.findings and not result.internal_errors:
                continue
            options = {"verbose": args.verbose} if name == "text" else {}
            sys.stdout.write(reporter.render(result, config, color=color, **options))
        else:
            try:
                with open(target, "w", encoding="utf-8") as handle:
                    handle.write(reporter.render(result, config, color=False))
            except OSError as exc:
                print(f"hublint: error: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
                return EXIT_ERROR
    sys.stdout.flush()

    # Only paths the user named: the default "." of a bare `hublint` may well hold nothing yet.
    empty_paths = result.empty_paths if args.paths else []
    for empty in empty_paths:
        print(f"hublint: error: {empty.path}: nothing to lint: it {empty.reason}", file=sys.stderr)
    if load is not None and args.debug:  # static reading vs measurement: a hublint bug when they differ
        from hublint.dynamic.compare import print_disagreements

        print_disagreements(result)
    for error in result.internal_errors:
        print(f"hublint: internal error while linting {error.path}: {error.message}", file=sys.stderr)
        if args.debug:
            print(error.traceback, file=sys.stderr)
    if result.internal_errors:
        if not args.debug:
            print("hublint: this is a bug in hublint; rerun with --debug and report the traceback", file=sys.stderr)
        return EXIT_ERROR
    if empty_paths:
        return EXIT_ERROR
    threshold = config.fail_severity
    if args.exit_zero or threshold is None:
        return EXIT_CLEAN
    failing = any(f.severity >= threshold for f in result.findings)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _rules_command(argv: list[str]) -> int:
    from hublint import docs

    parser = _Parser(prog="hublint rules", description="List hublint's rules or show one rule's documentation.")
    parser.add_argument("rule", nargs="?", help="a rule id or name")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    rules = registry.all_rules()
    if args.rule:
        rules = registry.get_rules(args.rule)
        if not rules:
            parser.error(f"unknown rule {args.rule!r} (see 'hublint rules')")
    if args.format == "json":
        print(json.dumps([_rule_dict(rule) for rule in rules], indent=2))
    elif args.rule:
        sys.stdout.write("\n".join(docs.render(rule) for rule in rules))
    else:
        for rule in rules:
            flag = " " if rule.enabled_by_default else "*"
            print(f"{rule.id}{flag} {rule.name:<40} {rule.severity.label:<8} {rule.kind:<7} {_first_sentence(rule.summary)}")
        print("\n* off by default. 'hublint rules HUB102' prints a rule's documentation.")
    return EXIT_CLEAN


def _first_sentence(text: str) -> str:
    sentence = text.split(". ")[0].rstrip(".")
    return sentence if len(sentence) <= 90 else sentence[:87] + "..."


def _rule_dict(rule) -> dict:
    return {
        "id": rule.id, "name": rule.name, "severity": rule.severity.label, "pass": rule.kind,
        "enabled_by_default": rule.enabled_by_default, "summary": rule.summary,
        "rationale": rule.rationale, "message": rule.message, "fix": rule.fix, "options": list(rule.options),
    }


def _show_command(argv: list[str]) -> int:
    parser = _Parser(prog="hublint show", description="Summarize an exported TF Hub module or SavedModel.")
    parser.add_argument("module", help="the module directory")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    dynamic.add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        load = dynamic.options_from_args(args)
    except dynamic.LoadUsageError as exc:
        parser.error(str(exc))
    from hublint.module.show import show

    return show(args.module, args.format, load=load)


if __name__ == "__main__":
    raise SystemExit(main())
