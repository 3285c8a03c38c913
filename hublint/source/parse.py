"""Read and parse one Python file into an astroid tree, or explain why not.

Every way a file can be bad (unreadable, too big, undecodable, NUL bytes,
syntax errors, Python 2, nesting deep enough to exhaust the recursion limit)
comes back as a one-line reason that becomes a HUB001 finding.
"""

from __future__ import annotations

import ast
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
        return _unparsable(getattr(exc, "error", None), text, str(exc))
    except (RecursionError, MemoryError) as exc:
        return _unparsable(exc, text)
    except (AstroidBuildingError, ValueError) as exc:
        return Unparsable(f"cannot parse: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")


def check_syntax(text: str, path: str) -> Unparsable | None:
    """Why ``text`` is not valid Python 3, or None: CPython's own parser, ~8x faster than astroid's tree."""
    try:
        ast.parse(text, filename=path)
    except (SyntaxError, RecursionError, MemoryError) as exc:
        return _unparsable(exc, text)
    except ValueError as exc:
        return Unparsable(f"cannot parse: {exc}")
    return None


def _unparsable(error: BaseException | None, text: str, fallback: str = "") -> Unparsable:
    if isinstance(error, (MemoryError, RecursionError)):
        # CPython's parser gives up on very deep nesting with a bare MemoryError.
        return Unparsable("expressions are nested too deeply to parse (parser limit)")
    if not isinstance(error, SyntaxError):
        return Unparsable(f"syntax error: {fallback.splitlines()[0] if fallback else 'cannot parse'}")
    reason = f"syntax error: {error.msg}"
    py2 = _python2_hint(text)
    if py2:
        reason += f" (Python 2 code? found a {py2}; hublint reads Python 3)"
    return Unparsable(reason, error.lineno or 0, error.offset or 0)


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
