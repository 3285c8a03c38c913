"""Where the module pass reads a module from: a folder or an archive, behind one interface.

The reader (:mod:`hublint.module.reader`) asks a :class:`ModuleSource` for the
few files it reads (``saved_model.pb`` / ``.pbtxt``, ``tfhub_module.pb``,
``variables/variables.index``), for the sizes of the checkpoint's data shards
and for the listing of ``assets/``; names are relative to the module's root,
with forward slashes.  :func:`open_source` picks the source for a path:

- :class:`FolderSource`: a module directory on disk (links followed as
  TensorFlow follows them; nothing but the files above is opened).
- :class:`ArchiveSource`: a ``.tar.gz`` / ``.tgz`` / ``.tar`` / ``.zip`` read
  without extracting anything to disk.  A tar archive is read once, front to
  back: a compressed tar has no index, so the whole stream is decompressed to
  reach its members (the data shards' bytes pass through and are dropped, only
  the files above are kept; a plain ``.tar`` seeks past them).  A zip archive
  has a central directory: only it and the members above are read, the shards
  are never decompressed.
- :class:`RemoteFolderSource`: a module folder behind a URL (fsspec, the
  ``remote`` extra): size look-ups, folder listings and ranged reads of the
  files above; a remote archive is an :class:`ArchiveSource` over fsspec's file.

Every member of an archive is checked as the archive is listed
(:class:`Packaging`): names that leave the archive (absolute, ``..``), links,
device files and decompression bombs (members declaring far more bytes than
the archive holds, a tar header declaring gigabytes of metadata, zip members
whose compressed data is larger than what they declare, zip members sharing
their compressed data) make the archive *unsafe*; the module pass then reads
nothing of it (HUB401) and nothing is ever written.  Nothing here raises on bad
input: what cannot be read is a :class:`SourceError` or a problem string.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import stat
import struct
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:  # pragma: no cover
    import tarfile
    import zipfile

#: Paths with these endings are read as archives.
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
#: The files that make a folder a module.
MARKERS = ("saved_model.pb", "saved_model.pbtxt", "tfhub_module.pb")
#: A listing stops here (an archive with more members is refused): no module has that many files.
MAX_MEMBERS = 100_000
#: Members may declare this much in all whatever the archive's size ...
MIN_BOMB_BYTES = 1 << 30
#: ... and beyond it, at most this many times the archive's own size (deflate tops out near 1032).
BOMB_RATIO = 200
#: A tar stream keeps at most this many bytes of the files the reader asks for.
MAX_BUFFERED_BYTES = (3 << 30)
#: Shards this small may be Git LFS pointers: a tar stream keeps their bytes so the reader can tell.
SMALL_SHARD_BYTES = 1024
#: What each kept file may weigh (the reader's own limits; bigger files are only listed).
_KEEP_LIMITS = {
    "saved_model.pb": (2 << 30) - 1,
    "saved_model.pbtxt": (2 << 30) - 1,
    "tfhub_module.pb": 1 << 20,
    "variables.index": 256 << 20,
}


class SourceError(Exception):
    """A file of the module cannot be read; the message says why in a few words."""


@dataclass(frozen=True)
class Member:
    """One entry of a module folder or archive, named relative to the folder or archive root."""

    name: str  # forward slashes, no leading "./", no trailing "/"
    size: int | None  # bytes of a regular file; None for folders, links and special files
    kind: str  # "file", "dir", "link" or "other"


@dataclass(frozen=True)
class UnsafeMember:
    """An archive member that is refused, and why."""

    name: str  # as the archive spells it
    reason: str


@dataclass
class Packaging:
    """How a module is packed: the facts HUB401-HUB403 judge."""

    archive: bool
    #: The module folder relative to the folder / archive root ("" when the module is at the top).
    root: str = ""
    members: list[Member] = field(default_factory=list)
    #: False when the listing stopped at :data:`MAX_MEMBERS`.
    complete: bool = True
    unsafe: list[UnsafeMember] = field(default_factory=list)
    #: Bytes of the archive file itself (0 for a folder).
    archive_bytes: int = 0


def is_archive_path(path: str) -> bool:
    return path.lower().endswith(ARCHIVE_SUFFIXES)


def is_url(path: str) -> bool:
    """``https://...``, ``gs://...``, ``s3://...``: a module fsspec reads (``file://`` is a local path)."""
    scheme, sep, _ = path.partition("://")
    return bool(sep) and scheme.isidentifier() and scheme.lower() != "file"


def open_source(path: str) -> "ModuleSource":
    """The source that reads the module at ``path``."""
    if is_url(path):
        return open_remote(path)
    if is_archive_path(path) and not os.path.isdir(path):
        return ArchiveSource(path)
    return FolderSource(path)


class ModuleSource:
    """What the reader asks of a module's container; names are relative to the module root."""

    path: str

    def problem(self) -> str | None:
        """Why the container cannot be read at all (not a folder, not an archive), or ``None``."""
        raise NotImplementedError

    def remedy(self) -> str:
        """What the user does about :meth:`problem` when it is not the module's fault ("" otherwise)."""
        return ""

    def exists(self, name: str) -> bool:
        """Whether ``name`` exists (a broken link counts)."""
        raise NotImplementedError

    def is_dir(self, name: str) -> bool:
        raise NotImplementedError

    def size(self, name: str) -> int | None:
        """Bytes of the regular file ``name``; ``None`` when it is something else; :class:`SourceError`
        when it cannot be looked at (missing, no permission)."""
        raise NotImplementedError

    def read(self, name: str, limit: int) -> bytes:
        """At most ``limit + 1`` bytes of ``name`` (so a caller sees that it is longer); :class:`SourceError`."""
        raise NotImplementedError

    def files_under(self, folder: str, onerror: Callable[[str], None]) -> Iterator[tuple[str, int | None]]:
        """``(path relative to folder, size or None)`` of every file under ``folder``, sorted by folder."""
        raise NotImplementedError

    def damage(self) -> str | None:
        """Damage met after part of the container was read (the rest is still read), or ``None``."""
        return None

    def packaging(self) -> Packaging:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the source holds open."""


# -- a folder -----------------------------------------------------------------------------------

class FolderSource(ModuleSource):
    """A module directory on disk."""

    def __init__(self, path: str):
        self.path = path

    def _file(self, name: str) -> str:
        return os.path.join(self.path, *name.split("/")) if name else self.path

    def problem(self) -> str | None:
        return None if os.path.isdir(self.path) else "not a directory"

    def exists(self, name: str) -> bool:
        return os.path.lexists(self._file(name))

    def is_dir(self, name: str) -> bool:
        return os.path.isdir(self._file(name))

    def size(self, name: str) -> int | None:
        try:
            info = os.stat(self._file(name))
        except OSError as exc:
            raise SourceError(exc.strerror or str(exc)) from None
        return info.st_size if stat.S_ISREG(info.st_mode) else None

    def read(self, name: str, limit: int) -> bytes:
        try:
            with open(self._file(name), "rb") as handle:
                return handle.read(limit + 1)
        except OSError as exc:
            raise SourceError(exc.strerror or str(exc)) from None

    def files_under(self, folder: str, onerror: Callable[[str], None]) -> Iterator[tuple[str, int | None]]:
        top = self._file(folder)

        def on_walk_error(error: OSError) -> None:
            onerror(f"cannot list {error.filename or folder}: {error.strerror or error}")

        # followlinks=False: a symlinked folder inside cannot make the walk loop.
        for current, dirs, files in os.walk(top, onerror=on_walk_error, followlinks=False):
            dirs.sort()
            for name in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(current, d))]:
                full = os.path.join(current, name)
                relative = os.path.relpath(full, top).replace(os.sep, "/")
                try:
                    info = os.stat(full)
                    size = info.st_size if stat.S_ISREG(info.st_mode) else None
                except OSError:  # a broken link or a link loop
                    size = None
                yield relative, size

    def packaging(self) -> Packaging:
        found = Packaging(archive=False)
        for current, dirs, files in os.walk(self.path, onerror=lambda error: None, followlinks=False):
            dirs.sort()
            for name in sorted(dirs) + sorted(files):
                if len(found.members) >= MAX_MEMBERS:
                    found.complete = False
                    return found
                full = os.path.join(current, name)
                relative = os.path.relpath(full, self.path).replace(os.sep, "/")
                try:
                    info = os.lstat(full)
                except OSError:
                    continue
                if stat.S_ISLNK(info.st_mode):
                    found.members.append(Member(relative, None, "link"))
                elif stat.S_ISDIR(info.st_mode):
                    found.members.append(Member(relative, None, "dir"))
                elif stat.S_ISREG(info.st_mode):
                    found.members.append(Member(relative, info.st_size, "file"))
                else:
                    found.members.append(Member(relative, None, "other"))
        return found


# -- an archive ---------------------------------------------------------------------------------

def clean_member_name(raw: str) -> tuple[str, str | None]:
    """``(normalized name, None)`` for a member name inside the archive, or ``(raw, why it escapes)``."""
    name = raw.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return raw, "an absolute path"
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        return raw, "a path that climbs out of the archive with '..'"
    if "\0" in name:
        return raw, "a name with a NUL byte"
    return "/".join(parts), None


def _kept(name: str, size: int) -> bool:
    """Whether a tar stream keeps the bytes of member ``name`` for the reader."""
    base = posixpath.basename(name)
    limit = _KEEP_LIMITS.get(base)
    if limit is not None:
        return size <= limit
    return base.startswith("variables.data-") and size <= SMALL_SHARD_BYTES


def _max_compressed(size: int) -> int:
    """The most compressed bytes an honest member of ``size`` bytes needs (stored blocks, headers)."""
    return 2 * size + 4096


class ArchiveSource(ModuleSource):
    """A module in a ``.tar.gz`` / ``.tgz`` / ``.tar`` / ``.zip`` archive, read without extracting it.

    The archive is listed and checked when the source is made; a tar stream also keeps the bytes of
    the files the reader will ask for then (it cannot go back).  ``opener`` opens the archive's bytes
    (a local file by default; a remote file object for URLs).
    """

    def __init__(self, path: str, opener: Callable[[], object] | None = None, archive_bytes: int | None = None,
                 io_errors: tuple[type[BaseException], ...] = ()):
        self.path = path
        self._opener = opener or (lambda: open(path, "rb"))
        #: What else reading the bytes may raise (a remote back-end's errors).
        self._io_errors = io_errors
        self._problem: str | None = None
        self._damage: str | None = None
        self._files: dict[str, Member] = {}  # container-relative name -> regular file
        self._dirs: set[str] = set()
        self._kept: dict[str, bytes] = {}
        self._zip: "zipfile.ZipFile | None" = None
        self._zip_handle = None
        self._packaging = Packaging(archive=True)
        if archive_bytes is None:
            try:
                archive_bytes = os.stat(path).st_size
            except OSError as exc:
                self._problem = f"cannot read {os.path.basename(path)}: {exc.strerror or exc}"
                return
        self._packaging.archive_bytes = archive_bytes
        self._bomb_limit = max(MIN_BOMB_BYTES, BOMB_RATIO * archive_bytes)
        if path.lower().endswith(".zip"):
            self._scan_zip()
        else:
            self._scan_tar()
        self._packaging.root = self._module_root()

    # -- listing and checking ------------------------------------------------------------
    def _add(self, member: Member) -> None:
        self._packaging.members.append(member)
        if member.kind == "file":
            self._files[member.name] = member
        elif member.kind == "dir":
            self._dirs.add(member.name)
        parent = posixpath.dirname(member.name)
        while parent and parent not in self._dirs:  # folders many archives leave implicit
            self._dirs.add(parent)
            parent = posixpath.dirname(parent)

    def _refuse(self, name: str, reason: str) -> None:
        self._packaging.unsafe.append(UnsafeMember(name, reason))

    def _too_many(self, count: int) -> bool:
        if count > MAX_MEMBERS:
            self._packaging.complete = False
            self._refuse("", f"more than {MAX_MEMBERS} members: no module has that many files")
            return True
        return False

    def _bomb(self, declared: int, name: str) -> bool:
        if declared > self._bomb_limit:
            self._refuse(name, (
                f"the members declare {declared} bytes or more, far beyond the archive's "
                f"{self._packaging.archive_bytes} bytes: a decompression bomb"))
            return True
        return False

    def _scan_tar(self) -> None:
        import tarfile  # ~4 ms of imports: only archives pay for them

        kept_bytes = declared = count = 0
        try:
            with self._opener() as handle:
                stream = _BoundedReads(_decompressed(handle))
                # "r:", not the stream mode "r|": tarfile then reads a pax header or GNU long name in
                # one read of its declared size, which _BoundedReads can refuse before memory is spent,
                # and skips member data by seeking forward (decompressing through, never back).
                tar = tarfile.open(fileobj=stream, mode="r:")
                for info in tar:
                    count += 1
                    if self._too_many(count):
                        return
                    name, escapes = clean_member_name(info.name)
                    if escapes:
                        self._refuse(info.name, f"{escapes}: it would be written outside the module folder")
                        continue
                    if info.issym() or info.islnk():
                        kind = "symbolic link" if info.issym() else "hard link"
                        self._refuse(info.name, f"a {kind} to {info.linkname!r}: links can reach any file")
                        continue
                    if info.ischr() or info.isblk() or info.isfifo():
                        self._refuse(info.name, "a device or pipe, not a file")
                        continue
                    if not name:  # the archive's own "./"
                        continue
                    if info.isdir():
                        self._add(Member(name, None, "dir"))
                        continue
                    if not info.isfile():
                        self._add(Member(name, None, "other"))
                        continue
                    declared += max(info.size, 0)
                    if self._bomb(declared, info.name):
                        return
                    self._add(Member(name, info.size, "file"))
                    if _kept(name, info.size) and kept_bytes + info.size <= MAX_BUFFERED_BYTES:
                        with stream.allowing(info.size):
                            data = tar.extractfile(info).read(info.size)
                        kept_bytes += len(data)
                        self._kept[name] = data
                _drain(tar)
        except _MetadataBomb as exc:
            self._refuse(exc.name, str(exc))
        except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error, _lzma_error(),
                OverflowError, TypeError, IndexError, struct.error, *self._io_errors) as exc:  # tarfile on garbage
            if not self._packaging.members and not self._packaging.unsafe:
                self._problem = f"{os.path.basename(self.path)} is not a readable tar archive ({_why(exc)})"
            else:  # the members before the damage stay listed and are read; the damage is a problem
                self._damage = (f"{os.path.basename(self.path)} is damaged or cut short after {count} member(s) "
                                f"({_why(exc)}): an interrupted download or upload?")

    def _scan_zip(self) -> None:
        import zipfile

        try:
            self._zip_handle = self._opener()
            self._zip = zipfile.ZipFile(self._zip_handle)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError,
                NotImplementedError, RuntimeError, OverflowError, TypeError, IndexError, struct.error,
                *self._io_errors) as exc:
            self._problem = f"{os.path.basename(self.path)} is not a readable zip archive ({_why(exc)})"
            self.close()
            return
        if self._too_many(len(infos)):
            return
        declared = 0
        for info in infos:
            name, escapes = clean_member_name(info.filename)
            if escapes:
                self._refuse(info.filename, f"{escapes}: it would be written outside the module folder")
                continue
            mode = info.external_attr >> 16
            if info.create_system == 3 and stat.S_ISLNK(mode):
                self._refuse(info.filename, "a symbolic link: links can reach any file")
                continue
            if info.create_system == 3 and mode and (stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                                                      or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
                self._refuse(info.filename, "a device or pipe, not a file")
                continue
            if not name:
                continue
            if info.is_dir():
                self._add(Member(name, None, "dir"))
                continue
            if info.compress_size > _max_compressed(info.file_size):
                self._refuse(info.filename, (
                    f"its {info.compress_size} compressed bytes are far more than the {info.file_size} bytes "
                    "it declares: it inflates beyond its declared size (a decompression bomb)"))
                continue
            declared += info.file_size
            if self._bomb(declared, info.filename):
                return
            self._add(Member(name, info.file_size, "file"))
        # Zip bombs without a huge entry make many entries point at the same compressed bytes.
        by_offset = sorted(infos, key=lambda info: info.header_offset)
        for before, after in zip(by_offset, by_offset[1:]):
            if after.header_offset < before.header_offset + 30 + before.compress_size:
                self._refuse(after.filename, (
                    f"its data overlaps that of {before.filename!r}: members sharing compressed bytes "
                    "are how a small zip decompresses to a huge size"))
                return

    def _module_root(self) -> str:
        """The shallowest folder holding a module marker ("" when none, or at the top)."""
        folders = [posixpath.dirname(name) for name in self._files if posixpath.basename(name) in MARKERS]
        if not folders:
            return ""
        return min(folders, key=lambda folder: (folder.count("/") + bool(folder), folder))

    # -- what the reader asks -------------------------------------------------------------
    def _inner(self, name: str) -> str:
        root = self._packaging.root
        return f"{root}/{name}" if root and name else (root or name)

    def problem(self) -> str | None:
        return self._problem

    def damage(self) -> str | None:
        return self._damage

    def exists(self, name: str) -> bool:
        inner = self._inner(name)
        return inner in self._files or inner in self._dirs

    def is_dir(self, name: str) -> bool:
        return self._inner(name) in self._dirs

    def size(self, name: str) -> int | None:
        inner = self._inner(name)
        if inner in self._files:
            return self._files[inner].size
        if inner in self._dirs:
            return None
        raise SourceError("No such file in the archive")

    def read(self, name: str, limit: int) -> bytes:
        inner = self._inner(name)
        if inner not in self._files:
            raise SourceError("No such file in the archive")
        import zipfile

        if self._zip is None:
            if inner not in self._kept:
                raise SourceError("the archive stream did not keep it")
            return self._kept[inner][: limit + 1]
        try:
            with self._zip.open(inner) as handle:
                return handle.read(limit + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, NotImplementedError,
                RuntimeError, OverflowError, zlib.error, _lzma_error(), TypeError, IndexError, struct.error,
                *self._io_errors) as exc:
            raise SourceError(_why(exc)) from None

    def files_under(self, folder: str, onerror: Callable[[str], None]) -> Iterator[tuple[str, int | None]]:
        prefix = self._inner(folder) + "/"
        for name in sorted(self._files):
            if name.startswith(prefix):
                yield name[len(prefix):], self._files[name].size

    def packaging(self) -> Packaging:
        return self._packaging

    def close(self) -> None:
        for thing in (self._zip, self._zip_handle):
            if thing is not None:
                try:
                    thing.close()
                except (OSError, ValueError):
                    pass
        self._zip = self._zip_handle = None



def extract_archive(path: str, folder: str) -> str:
    """Write the module archive at ``path`` into the empty ``folder`` and return the module's folder in it.

    Only ``hublint --load`` extracts (TensorFlow loads files).  The archive is listed and checked
    as :class:`ArchiveSource` does first: an unsafe one (HUB401) or an unreadable one raises
    :class:`SourceError` before anything is written.  Then only the regular files and folders
    that check accepted are written, each at most as many bytes as it declared.
    """
    source = ArchiveSource(path)
    try:
        packaging = source.packaging()
        if source.problem() or source.damage():
            raise SourceError(source.problem() or source.damage())
        if packaging.unsafe:
            raise SourceError(f"archive refused (HUB401): {packaging.unsafe[0].name!r}: {packaging.unsafe[0].reason}")
    finally:
        source.close()
    import shutil

    def target(raw: str) -> str | None:
        name, problem = clean_member_name(raw)
        return None if problem or not name else os.path.join(folder, *name.split("/"))

    def write(handle, where: str, size: int) -> None:
        os.makedirs(os.path.dirname(where), exist_ok=True)
        with open(where, "xb") as out:  # "x": never through a file or link already there
            shutil.copyfileobj(_Capped(handle, size), out, 1 << 20)

    import tarfile
    import zipfile

    try:
        if path.lower().endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    where = target(info.filename)
                    if where is None:
                        continue
                    if info.is_dir():
                        os.makedirs(where, exist_ok=True)
                    elif stat.S_ISREG(info.external_attr >> 16) or not info.external_attr >> 16:
                        with archive.open(info) as handle:
                            write(handle, where, info.file_size)
        else:
            with tarfile.open(path, "r:*") as archive:
                for member in archive:
                    where = target(member.name)
                    if where is None:
                        continue
                    if member.isdir():
                        os.makedirs(where, exist_ok=True)
                    elif member.isfile():
                        write(archive.extractfile(member), where, member.size)
    except (OSError, EOFError, ValueError, zlib.error, _lzma_error(), tarfile.TarError, zipfile.BadZipFile) as exc:
        raise SourceError(_why(exc)) from None
    return os.path.join(folder, *packaging.root.split("/")) if packaging.root else folder


class _Capped:
    """A reader that refuses to give more than ``size`` bytes (a member that lies about its size)."""

    def __init__(self, handle, size: int):
        self.handle, self.left = handle, size

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(min(size, self.left + 1) if size >= 0 else self.left + 1)
        self.left -= len(data)
        if self.left < 0:
            raise ValueError("a member holds more bytes than it declares")
        return data

#: No pax header or GNU long name needs more: a tar header declaring more is a bomb aimed at memory.
MAX_METADATA_BYTES = 16 << 20


class _MetadataBomb(Exception):
    """A single read far beyond any tar metadata: refused before it is made."""

    def __init__(self, size: int):
        super().__init__(f"a tar header declares {size} bytes of metadata (pax header or long name), "
                         "read whole into memory: a decompression bomb")
        self.name = ""


class _BoundedReads:
    """A file whose single reads are capped at :data:`MAX_METADATA_BYTES`, except the reads of the
    members the reader keeps (:meth:`allowing`)."""

    def __init__(self, raw):
        self._raw = raw
        self._limit = MAX_METADATA_BYTES

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > self._limit:
            raise _MetadataBomb(size if size is not None and size >= 0 else -1)
        return self._raw.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    @contextlib.contextmanager
    def allowing(self, size: int):
        self._limit = max(MAX_METADATA_BYTES, size)
        try:
            yield
        finally:
            self._limit = MAX_METADATA_BYTES


#: After a tar's end marker, a stream is read this far to see that it ends whole (honest padding: < 10 KiB).
_TAIL_BYTES = 1 << 20


def _drain(tar: "tarfile.TarFile") -> None:
    """Read a little past the tar's end marker, so that a compressed stream cut short raises (EOFError).

    tarfile stops at the end marker and does not look further: a cut-off download still lists
    every member it holds, and only its decompressor can tell that it ends early.
    """
    drained = 0
    while drained < _TAIL_BYTES:
        chunk = tar.fileobj.read(1 << 16)
        if not chunk:
            return
        drained += len(chunk)


def _decompressed(handle):
    """``handle`` read through its decompressor (gzip, bzip2, xz), told from its first bytes.

    The stdlib's own decompressing readers check what tarfile's stream mode does not (a cut-off
    stream, a damaged header) and raise their documented errors on bad bytes.
    """
    magic = handle.read(6)
    handle.seek(0)
    if magic.startswith(b"\x1f\x8b"):
        import gzip

        return gzip.GzipFile(fileobj=handle, mode="rb")
    if magic.startswith(b"BZh"):
        import bz2

        return bz2.BZ2File(handle)
    if magic.startswith(b"\xfd7zXZ\x00"):
        import lzma

        return lzma.LZMAFile(handle)
    return handle


# -- a URL (fsspec) ------------------------------------------------------------------------------

class UnreadableSource(ModuleSource):
    """A container that cannot be opened at all (its one problem says why)."""

    def __init__(self, path: str, reason: str, remedy: str = ""):
        self.path = path
        self._reason = reason
        self._remedy = remedy

    def problem(self) -> str | None:
        return self._reason

    def remedy(self) -> str:
        return self._remedy


def open_remote(url: str) -> ModuleSource:
    """The source of a module at ``url``: a remote folder, or a remote archive."""
    try:
        import fsspec
    except ImportError:
        return UnreadableSource(url, "reading a module from a URL needs fsspec",
                                remedy="pip install 'hublint[remote]'")
    try:
        fs, root = fsspec.core.url_to_fs(url)
    except ImportError as exc:  # the protocol's back-end (gcsfs, s3fs, ...) is not installed
        return UnreadableSource(url, f"cannot read {url}: {_why(exc)}",
                                remedy=f"install the fsspec back-end for `{url.partition('://')[0]}://` "
                                       "(e.g. `pip install gcsfs` for gs://, `pip install s3fs` for s3://)")
    except ValueError as exc:  # an unknown protocol
        return UnreadableSource(url, f"cannot read {url}: {_why(exc)}",
                                remedy="check the URL's protocol: fsspec knows it by name (`fsspec.available_protocols()`)")
    root = root.rstrip("/") or root
    if is_archive_path(root):
        try:
            size = fs.info(root).get("size")
        except Exception as exc:  # noqa: BLE001 - any network or back-end error is the URL's problem
            return UnreadableSource(url, f"cannot read {url}: {_why(exc)}")
        # A zip is read where its central directory and members lie: small ranged reads. A tar is
        # read through from start to end: fsspec's default large blocks, read ahead.
        block_size = 1 << 16 if root.lower().endswith(".zip") else None
        # Any network or back-end error while reading is the URL's problem, not a hublint bug.
        return ArchiveSource(url, opener=lambda: fs.open(root, "rb", block_size=block_size, cache_type="readahead"),
                             archive_bytes=size or 0, io_errors=(Exception,))
    return RemoteFolderSource(url, fs, root)


class RemoteFolderSource(ModuleSource):
    """A module folder behind a URL, read with fsspec: a size look-up (HTTP: ``HEAD``) per file, and
    ranged reads of only the files the reader asks for; the data shards' bytes are never fetched.

    Network and back-end errors are this module's problems, not hublint bugs: each becomes a
    :class:`SourceError` (HUB002 names it).
    """

    def __init__(self, path: str, fs, root: str):
        self.path = path
        self._fs = fs
        self._root = root
        self._infos: dict[str, dict | None] = {}

    def _url(self, name: str) -> str:
        return f"{self._root}/{name}" if name else self._root

    def _info(self, name: str) -> dict | None:
        """The back-end's info on ``name``; ``None`` when it does not exist; :class:`SourceError`."""
        if name not in self._infos:
            try:
                self._infos[name] = self._fs.info(self._url(name))
            except FileNotFoundError:
                self._infos[name] = None
            except Exception as exc:  # noqa: BLE001 - any network or back-end error
                raise SourceError(_why(exc)) from None
        return self._infos[name]

    def problem(self) -> str | None:
        return None

    def exists(self, name: str) -> bool:
        try:
            return self._info(name) is not None
        except SourceError:
            return True  # it may well be there: reading it says why it cannot be read

    def is_dir(self, name: str) -> bool:
        try:
            return bool(self._fs.isdir(self._url(name)))
        except Exception:  # noqa: BLE001 - any network or back-end error: no folder to list
            return False

    def size(self, name: str) -> int | None:
        info = self._info(name)
        if info is None:
            raise SourceError("No such file")
        if info.get("type") == "directory":
            return None
        size = info.get("size")
        return int(size) if size is not None else None

    def read(self, name: str, limit: int) -> bytes:
        size = self.size(name)
        end = limit + 1 if size is None else min(size, limit + 1)
        try:
            return self._fs.cat_file(self._url(name), start=0, end=end)[:end]  # a server may ignore Range
        except Exception as exc:  # noqa: BLE001 - any network or back-end error
            raise SourceError(_why(exc)) from None

    def _find(self, folder: str) -> dict[str, dict]:
        top = self._url(folder)
        found = self._fs.find(top, detail=True, withdirs=True)
        prefix = self._fs._strip_protocol(top).rstrip("/") + "/"
        out = {}
        for key, info in found.items():
            name = self._fs._strip_protocol(key)
            if name.startswith(prefix) and len(out) < MAX_MEMBERS:
                out[name[len(prefix):].rstrip("/")] = info
        return out

    def files_under(self, folder: str, onerror: Callable[[str], None]) -> Iterator[tuple[str, int | None]]:
        try:
            found = self._find(folder)
        except Exception as exc:  # noqa: BLE001 - any network or back-end error
            onerror(f"cannot list {folder}: {_why(exc)}")
            return
        for name in sorted(found):
            if found[name].get("type") == "directory":
                continue
            size = found[name].get("size")
            if size is None:  # an HTTP folder listing gives no sizes: ask for each file's (HEAD)
                try:
                    size = self.size(f"{folder}/{name}" if folder else name)
                except SourceError:
                    size = None
            yield name, size

    def packaging(self) -> Packaging:
        found = Packaging(archive=False)
        try:
            listing = self._find("")
        except Exception:  # noqa: BLE001 - without a listing, HUB402 has nothing to judge
            found.complete = False
            return found
        for name in sorted(listing):
            info = listing[name]
            if info.get("type") == "directory":
                found.members.append(Member(name, None, "dir"))
            else:
                found.members.append(Member(name, info.get("size"), "file"))
        return found


def _why(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


def _lzma_error() -> type[Exception]:
    try:  # lzma is optional in CPython builds; without it, an xz-compressed tar simply does not open
        from lzma import LZMAError
    except ImportError:  # pragma: no cover
        return zlib.error
    return LZMAError
