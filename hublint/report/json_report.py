"""The JSON format (schema version 1, documented in docs/json-format.md)."""

from __future__ import annotations

import json

from hublint import __version__
from hublint.report import counts

NAME = "json"
EXTENSION = "json"
SCHEMA_VERSION = 1


def document(result) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "hublint", "version": __version__},
        "summary": {
            "files": len(result.sources),
            "modules": len(result.modules),
            "findings": len(result.findings),
            "by_severity": counts(result.findings),
        },
        "findings": [finding.to_dict() for finding in result.findings],
        "modules": result.module_summaries,
        "internal_errors": [{"path": e.path, "message": e.message} for e in result.internal_errors],
    }


def render(result, config, color: bool = False) -> str:
    return json.dumps(document(result), indent=2, sort_keys=False) + "\n"
