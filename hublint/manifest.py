"""Manifests (``hublint --manifest FILE``): a list of what to lint, one path a line.

A line starting with ``#``, and anything after `` #``, is a comment; blank lines are ignored;
relative paths are relative to the manifest's folder; a line with ``://`` (a URL) is passed
on as it is.
"""

from __future__ import annotations

import os
import re

_COMMENT = re.compile(r"\s+#.*$")  # an inline comment; a '#' inside a path or URL stays


class ManifestError(ValueError):
    """The manifest cannot be read; the message says why."""


def read(manifest: str) -> list[str]:
    """The paths ``manifest`` lists, in its order."""
    try:
        with open(manifest, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read manifest {manifest}: {getattr(exc, 'strerror', None) or exc}") from None
    folder = os.path.dirname(manifest)
    paths = []
    for raw in text.splitlines():
        entry = _COMMENT.sub("", raw).strip()
        if not entry or entry.startswith("#"):
            continue
        if "://" in entry or os.path.isabs(entry):
            paths.append(entry)
        else:
            paths.append(os.path.normpath(os.path.join(folder, entry)))
    return paths
