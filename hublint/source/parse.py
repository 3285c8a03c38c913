"""Read and parse one Python file into an astroid tree, or explain why not.

Every way a file can be bad (unreadable, too big, undecodable, NUL bytes,
syntax errors, Python 2, nesting deep enough to exhaust the recursion limit)
comes back as a one-line reason that becomes a HUB001 finding.
"""

from __future__ import annotations

import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass

import astroid
from astroid.builder import AstroidBuilder
from astroid.exceptions import AstroidBuildingError, AstroidSyntaxError


@dataclass(frozen=True)
class Unparsable:
    """Why a file could not be parsed, and where (1-based line and column, 0 if unknown)."""

    reason: str
    line: int = 0
    column: int = 0


def read_source(path: str, max_bytes: int) -> str | Unparsable:
    """The decoded text of ``path`` (PEP 263 encoding), or why it cannot be had."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            # Opening a FIFO or a device would block or never end.
            return Unparsable("not a regular file")
        size = info.st_size
        if size > max_bytes:
            return Unparsable(
                f"file is too large to lint ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB); "
                "raise max-file-bytes or exclude it"
            )
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return Unparsable(f"cannot read file: {exc.strerror or exc}")
    return decode_source(data)


def decode_source(data: bytes) -> str | Unparsable:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if "invalid or missing" in str(exc.msg):
            return Unparsable("file is not valid UTF-8 and declares no other encoding (PEP 263)", exc.lineno or 0)
        return Unparsable(f"bad encoding declaration: {exc.msg}", exc.lineno or 0)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return Unparsable(f"file is not valid {encoding} (byte 0x{data[exc.start]:02x} at offset {exc.start})", line)
    except LookupError:
        return Unparsable(f"unknown encoding {encoding!r}")
    if text.startswith("\ufeff"):
        text = text[1:]
    nul = text.find("\0")
    if nul >= 0:
        return Unparsable("file contains NUL bytes (binary file?)", text.count("\n", 0, nul) + 1)
    return text


_PY2_HINTS = (
    (re.compile(r"^\s*print\s+[^\s(=]", re.M), "print statement"),
    (re.compile(r"^\s*exec\s+[\"'\w]", re.M), "exec statement"),
    (re.compile(r"except\s+[\w.]+\s*,\s*\w+\s*:"), "except X, e"),
    (re.compile(r"\b0[0-7]+\b"), "octal literal"),
    (re.compile(r"\bur[\"']"), "ur'' string"),
)


def parse_source(text: str, path: str, modname: str = "") -> astroid.Module | Unparsable:
    """An astroid tree of ``text``; ``path`` is only used for messages and node positions."""
    modname = modname or os.path.splitext(os.path.basename(path))[0]
    try:
        # Transforms (astroid's "brain") only help inference; hublint resolves names itself.
        return AstroidBuilder(astroid.MANAGER, apply_transforms=False).string_build(text, modname=modname, path=path)
    except AstroidSyntaxError as exc:
        if isinstance(getattr(exc, "error", None), (MemoryError, RecursionError)):
            # CPython's parser gives up on very deep nesting with a bare MemoryError.
            return Unparsable("expressions are nested too deeply to parse (parser limit)")
        error = exc.error if isinstance(getattr(exc, "error", None), SyntaxError) else None
        line = getattr(error, "lineno", 0) or 0
        column = getattr(error, "offset", 0) or 0
        message = getattr(error, "msg", None) or str(exc).splitlines()[0]
        reason = f"syntax error: {message}"
        py2 = _python2_hint(text)
        if py2:
            reason += f" (Python 2 code? found a {py2}; hublint reads Python 3)"
        return Unparsable(reason, line, column)
    except RecursionError:
        return Unparsable("expressions are nested too deeply to parse (recursion limit)")
    except MemoryError:
        return Unparsable("out of memory while parsing")
    except (AstroidBuildingError, ValueError) as exc:
        return Unparsable(f"cannot parse: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")


def _python2_hint(text: str) -> str:
    for pattern, what in _PY2_HINTS:
        if pattern.search(text):
            return what
    return ""


def release(tree: astroid.Module) -> None:
    """Drop ``tree`` from astroid's global module cache, so memory stays flat over many files."""
    cache = astroid.MANAGER.astroid_cache
    if cache.get(tree.name) is tree:
        del cache[tree.name]
