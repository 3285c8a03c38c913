"""Modules in archives: the same findings as the folder, packaging rules HUB401-HUB403, attacks refused.

Archives are made in the test, with ``tarfile`` / ``zipfile`` (or byte by byte, for what those
refuse to write), from the real committed modules.  An attack archive must give HUB401, read
nothing, write nothing anywhere (the test's folders and the working folder are compared before and
after) and never a traceback, within bounded time and memory.
"""

from __future__ import annotations

import io
import json
import os
import resource
import struct
import subprocess
import sys
import tarfile
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from hublint.module.reader import load_module
from tests.conftest import EXPORTED, exported_module
from tests.module_fixtures import lint, module_copy

MODULES = ("dense_l2", "dense_noreg", "text_embedding", "tf2_reusable", "tf1_saved_model_pbtxt",
           "slim_arg_scope", "signature_problems")
FORMATS = ("tar.gz", "tgz", "tar", "zip")


# -- making archives ------------------------------------------------------------------------------

def pack(folder: Path, archive: Path, prefix: str = ".", extra: dict[str, bytes] | None = None) -> Path:
    """Pack ``folder`` into ``archive`` (format from its name) under ``prefix``, plus ``extra`` members."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    extra = extra or {}
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for file in files:
                name = file.relative_to(folder).as_posix()
                zf.write(file, name if prefix == "." else f"{prefix}/{name}")
            for name, data in extra.items():
                zf.writestr(name, data)
        return archive
    mode = "w" if archive.name.endswith(".tar") else "w:gz"
    with tarfile.open(archive, mode) as tar:
        tar.add(folder, arcname=prefix)
        for name, data in extra.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return archive


def _comparable(findings, prefix: str):
    """Findings with the module's own path taken off, so folder and archive findings compare."""
    out = []
    for finding in findings:
        path = finding.location.path
        assert path.startswith(prefix), (path, prefix)
        out.append((finding.rule_id, path[len(prefix):].lstrip("/!"), finding.location.tag_set,
                    finding.location.node, finding.message, finding.fix))
    return sorted(out, key=repr)


def _summary_without_path(summary: dict) -> dict:
    return {key: value for key, value in summary.items() if key != "path"}


# -- the same module, packed ----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", MODULES)
def test_archive_gives_the_folders_findings_and_summary(name, fmt, tmp_path):
    folder = exported_module(name)
    archive = pack(folder, tmp_path / f"{name}.{fmt}")
    folder_findings, folder_summary = lint(folder)
    archive_findings, archive_summary = lint(archive)
    assert _comparable(archive_findings, str(archive)) == _comparable(folder_findings, str(folder))
    assert _summary_without_path(archive_summary) == _summary_without_path(folder_summary)
    assert archive_summary["meta_graphs"], "the archive was not read"
    for finding in archive_findings:
        assert finding.location.module == str(archive)
        if finding.location.path != str(archive):
            assert finding.location.path.startswith(f"{archive}!/")


def test_findings_about_a_file_point_inside_the_archive(tmp_path):
    module = module_copy("dense_l2", tmp_path)
    (module / "variables" / "variables.index").write_bytes(b"\x00" * 10)
    archive = pack(module, tmp_path / "damaged.tar.gz")
    findings, _ = lint(archive)
    unreadable = [f for f in findings if f.rule_id == "HUB002"]
    assert [f.location.path for f in unreadable] == [f"{archive}!/variables/variables.index"]
    folder_messages = sorted(f.message for f in lint(module)[0] if f.rule_id == "HUB002")
    assert sorted(f.message for f in unreadable) == folder_messages


def test_the_data_shards_of_a_zip_are_never_decompressed(tmp_path):
    """A zip shard whose compressed bytes are garbage: reading it would fail, and nothing does."""
    module = module_copy("dense_l2", tmp_path)
    archive = pack(module, tmp_path / "m.zip")
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("variables/variables.data-00000-of-00001")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start:start + info.compress_size] = b"\xff" * info.compress_size
    archive.write_bytes(bytes(data))
    findings, summary = lint(archive)
    assert not [f for f in findings if f.rule_id in ("HUB002", "HUB401")]
    assert summary["checkpoint"]["shards"] == {"variables.data-00000-of-00001": info.file_size}


def test_a_truncated_tar_gz_is_a_finding_not_a_traceback(tmp_path):
    archive = pack(exported_module("dense_l2"), tmp_path / "m.tar.gz")
    data = archive.read_bytes()
    for cut in (0, 10, len(data) // 3, len(data) - 20):
        archive.write_bytes(data[:cut])
        findings, summary = lint(archive)
        assert any(f.rule_id == "HUB002" for f in findings), cut
        json.dumps(summary)


@pytest.mark.parametrize("fmt", FORMATS)
def test_garbage_named_like_an_archive_is_hub002(fmt, tmp_path):
    archive = tmp_path / f"garbage.{fmt}"
    archive.write_bytes(b"this is not an archive at all\n" * 40)
    findings, _ = lint(archive)
    assert [f.rule_id for f in findings] == ["HUB002"]
    assert "archive" in findings[0].message


def test_an_archive_without_a_module_is_not_a_module(tmp_path):
    archive = tmp_path / "docs.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("README.md")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    findings, summary = lint(archive)
    assert [f.rule_id for f in findings] == ["HUB002"]
    assert "not a module" in findings[0].message
    assert summary["format"] is None


# -- HUB403: layout -------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ("tar.gz", "zip"))
def test_module_in_a_subfolder_is_hub403_and_still_linted(fmt, tmp_path):
    folder = exported_module("dense_noreg")
    archive = pack(folder, tmp_path / f"m.{fmt}", prefix="export/1")
    findings, summary = lint(archive)
    layout = [f for f in findings if f.rule_id == "HUB403"]
    assert len(layout) == 1 and "export/1/" in layout[0].message
    rest = [f for f in findings if f.rule_id != "HUB403"]
    assert _comparable(rest, f"{archive}!/export/1") == _comparable(lint(folder)[0], str(folder))
    assert summary["meta_graphs"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_module_at_the_root_is_not_hub403(fmt, tmp_path):
    findings, _ = lint(pack(exported_module("dense_l2"), tmp_path / f"m.{fmt}"))
    assert "HUB403" not in [f.rule_id for f in findings]


# -- HUB402: stray files --------------------------------------------------------------------------

def test_stray_files_in_a_module_folder(tmp_path):
    module = module_copy("dense_l2", tmp_path)
    (module / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (module / "__pycache__").mkdir()
    (module / "__pycache__" / "export.cpython-311.pyc").write_bytes(b"\x00")
    (module / "checkpoint").write_text('model_checkpoint_path: "model.ckpt-100"\n')
    (module / "model.ckpt-100.index").write_bytes(b"\x00")
    (module / "saved_model.pb~").write_bytes(b"\x00")
    copy = module / "old_export"
    copy.mkdir()
    (copy / "saved_model.pb").write_bytes((module / "saved_model.pb").read_bytes())
    findings = [f for f in lint(module)[0] if f.rule_id == "HUB402"]
    messages = "\n".join(f.message for f in findings)
    assert len(findings) == 5, messages
    assert ".DS_Store" in messages and "__pycache__/" in messages and "saved_model.pb~" in messages
    assert "checkpoint, model.ckpt-100.index" in messages
    assert "the module ships other copies of the module (nested or beside it): old_export/" in messages
    assert all(f.location.path.startswith(str(module)) for f in findings)


def test_macos_metadata_in_an_archive(tmp_path):
    archive = pack(exported_module("dense_l2"), tmp_path / "m.zip",
                   extra={"__MACOSX/._saved_model.pb": b"\x00\x05\x16\x07", "._variables": b"\x00"})
    findings = [f for f in lint(archive)[0] if f.rule_id == "HUB402"]
    assert len(findings) == 1
    assert findings[0].message == "the module ships macOS archive metadata: __MACOSX/, ._variables"
    assert findings[0].location.path == f"{archive}!/__MACOSX"


def test_a_second_module_beside_the_first_in_an_archive(tmp_path):
    archive = tmp_path / "two.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(exported_module("dense_l2"), arcname="a")
        tar.add(exported_module("dense_noreg"), arcname="b")
    findings, _ = lint(archive)
    stray = [f for f in findings if f.rule_id == "HUB402"]
    assert [f.message for f in stray] == ["the module ships other copies of the module (nested or beside it): b/"]
    assert [f.message for f in findings if f.rule_id == "HUB403"][0].startswith("the module lies in a/")


@pytest.mark.parametrize("name", ("dense_l2", "text_embedding", "tf2_reusable", "legacy_variables"))
def test_clean_modules_have_no_stray_files(name, tmp_path):
    for path in (exported_module(name), pack(exported_module(name), tmp_path / "m.tar.gz")):
        assert "HUB402" not in [f.rule_id for f in lint(path)[0]]


def test_a_checkpoint_beside_the_graph_is_hub002_only(tmp_path):
    """variables.index beside saved_model.pb is a misplaced checkpoint (HUB002), not a stray file too."""
    module = module_copy("dense_l2", tmp_path)
    for file in (module / "variables").iterdir():
        file.rename(module / file.name)
    (module / "variables").rmdir()
    ids = [f.rule_id for f in lint(module)[0]]
    assert "HUB002" in ids and "HUB402" not in ids


# -- HUB401: attacks --------------------------------------------------------------------------------

def _tar_member(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"", linkname: str = "",
                size: int | None = None) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    info.size = len(data) if size is None else size
    return info


def _raw_tar(members: list[tuple[tarfile.TarInfo, bytes]], compress: bool = True) -> bytes:
    """A tar stream written header by header: tarfile's writer would not write some of these."""
    out = bytearray()
    for info, data in members:
        out += info.tobuf(tarfile.GNU_FORMAT)
        out += data + b"\0" * (-len(data) % 512)
    out += b"\0" * 1024
    return _gzip(bytes(out)) if compress else bytes(out)


def _gzip(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data, mtime=0)


def _module_members() -> list[tuple[tarfile.TarInfo, bytes]]:
    folder = EXPORTED / "dense_l2"
    members = []
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = file.read_bytes()
        members.append((_tar_member(file.relative_to(folder).as_posix(), data=data), data))
    return members


def _raw_zip(entries: list[dict]) -> bytes:
    """A zip written byte by byte: each entry gives name, data (stored as is), method, crc,
    declared size and, optionally, the offset of the local header it points at."""
    out = bytearray()
    central = bytearray()
    offsets = []
    for entry in entries:
        name = entry["name"].encode()
        if "points_at" in entry:
            offsets.append(offsets[entry["points_at"]])
            continue
        offsets.append(len(out))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, entry.get("method", 8), 0, 0, entry["crc"],
                           len(entry["data"]), entry["size"], len(name), 0) + name + entry["data"]
    for entry, offset in zip(entries, offsets):
        name = entry["name"].encode()
        base = entries[entry["points_at"]] if "points_at" in entry else entry
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 20, 20, 0, base.get("method", 8),
                               0, 0, base["crc"], len(base["data"]), entry.get("size", base["size"]), len(name),
                               0, 0, 0, 0, entry.get("mode", 0o100644) << 16, offset) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(out), 0)
    return bytes(out + central + end)


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _zip_entry(name: str, data: bytes, **fields) -> dict:
    return {"name": name, "data": _deflate(data), "crc": zlib.crc32(data), "size": len(data), **fields}


_ZEROS = 16 << 20  # 16 MiB of zeros deflate to ~16 KiB


def _pax_header_bomb(size: int = 3 << 30) -> bytes:
    """A .tar.gz whose first header is a pax header of ``size`` bytes of zeros (tarfile reads a pax
    header whole): made from one deflated 16 MiB block repeated, so it takes no time to build."""
    header = _tar_member("././@PaxHeader", tarfile.XHDTYPE, size=size).tobuf(tarfile.GNU_FORMAT)
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    start = compressor.compress(header) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(bytes(_ZEROS)) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert compressor.compress(bytes(_ZEROS)) + compressor.flush(zlib.Z_FULL_FLUSH) == block
    body = start + block * (size // _ZEROS) + compressor.flush()
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + body + struct.pack("<II", 0, 0)


def _attacks() -> dict[str, tuple[str, bytes]]:
    module = _module_members()
    zeros = bytes(_ZEROS)
    shard = _zip_entry("variables/variables.data-00000-of-00001", zeros)  # deflated once, packed many times
    return {
        "tar path traversal": ("tar.gz", _raw_tar(module + [(_tar_member("../../escaped.txt", data=b"x"), b"x")])),
        "tar absolute path": ("tgz", _raw_tar(module + [(_tar_member("/tmp/hublint-absolute-attack.txt", data=b"x"),
                                                         b"x")])),
        "tar symlink to /etc": ("tar.gz", _raw_tar(module + [
            (_tar_member("assets", tarfile.SYMTYPE, linkname="/etc"), b""),
            (_tar_member("assets/hublint-through-link.txt", data=b"x"), b"x")])),
        "tar hardlink": ("tar", _raw_tar(module + [(_tar_member("vocab.txt", tarfile.LNKTYPE,
                                                                 linkname="/etc/passwd"), b"")], compress=False)),
        "tar device file": ("tar.gz", _raw_tar(module + [(_tar_member("dev_null", tarfile.CHRTYPE), b"")])),
        "tar fifo": ("tar.gz", _raw_tar(module + [(_tar_member("pipe", tarfile.FIFOTYPE), b"")])),
        "tar member declaring terabytes": ("tar.gz", _raw_tar(
            [(_tar_member("variables/variables.data-00000-of-00001", size=1 << 40), b"")] + module)),
        "tar.gz pax header inflating to gigabytes": ("tar.gz", _pax_header_bomb()),
        "zip path traversal": ("zip", _raw_zip([_zip_entry("saved_model.pb", b"x"),
                                                _zip_entry("..\\..\\escaped.txt", b"x")])),
        "zip symlink": ("zip", _raw_zip([_zip_entry("saved_model.pb", b"x"),
                                         _zip_entry("assets", b"/etc", mode=0o120777)])),
        "zip member inflating beyond its declared size": ("zip", _raw_zip([
            {**shard, "name": "saved_model.pb", "size": 100}])),
        "zip whose entries sum far beyond the limit": ("zip", _raw_zip(
            [{**shard, "name": "variables/variables.data-00000-of-00100"}]
            + [{"name": f"variables/variables.data-{i:05d}-of-00100", "points_at": 0} for i in range(1, 100)])),
        "zip entries sharing their compressed bytes": ("zip", _raw_zip(
            [{**shard, "name": "variables/variables.data-00000-of-00010"}]
            + [{"name": f"variables/variables.data-{i:05d}-of-00010", "points_at": 0} for i in range(1, 10)])),
        "zip of honest entries summing far beyond the limit": ("zip", _raw_zip(
            [dict(_zip_entry("saved_model.pb", b"x"))]
            + [{**shard, "name": f"shard{i}"} for i in range(80)])),
    }


ATTACKS = _attacks()


def _snapshot(*folders: Path) -> dict:
    state = {}
    for folder in folders:
        for path in [folder, *folder.rglob("*")]:
            info = path.lstat()
            state[str(path)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return state


def _run_bounded(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """The real CLI with at most 2 GiB of address space and 60 s of CPU."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        resource.setrlimit(resource.RLIMIT_CPU, (60, 60))

    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "hublint", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, preexec_fn=limits)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_archive_is_refused_with_nothing_written(attack, tmp_path):
    fmt, data = ATTACKS[attack]
    inbox, cwd = tmp_path / "in" / "deep", tmp_path / "cwd"
    inbox.mkdir(parents=True)
    cwd.mkdir()
    archive = inbox / f"module.{fmt}"
    archive.write_bytes(data)
    before = _snapshot(tmp_path)
    started = time.monotonic()
    done = _run_bounded([str(archive), "--select", "ALL", "--no-cache", "--format", "json"], cwd)
    elapsed = time.monotonic() - started
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, (done.returncode, done.stderr)
    report = json.loads(done.stdout)
    ids = [f["rule_id"] for f in report["findings"]]
    assert "HUB401" in ids, report["findings"]
    assert set(ids) == {"HUB401"}, "nothing of a refused archive is read"
    assert report["modules"][str(archive)]["meta_graphs"] == []
    assert _snapshot(tmp_path) == before
    assert not Path("/tmp/hublint-absolute-attack.txt").exists()
    assert not Path("/etc/hublint-through-link.txt").exists()
    assert elapsed < 30


def test_show_refuses_an_attack_archive(tmp_path):
    fmt, data = ATTACKS["tar symlink to /etc"]
    archive = tmp_path / f"module.{fmt}"
    archive.write_bytes(data)
    done = _run_bounded(["show", str(archive)], tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "archive refused (HUB401)" in done.stderr


def test_unsafe_members_are_not_read(tmp_path):
    fmt, data = ATTACKS["tar path traversal"]
    archive = tmp_path / f"module.{fmt}"
    archive.write_bytes(data)
    module = load_module(str(archive))
    assert module.format is None and module.saved_model is None
    assert [member.name for member in module.packaging.unsafe] == ["../../escaped.txt"]


# -- the command line -----------------------------------------------------------------------------

def test_cli_lints_an_archive_and_shows_it(tmp_path):
    archive = pack(exported_module("dense_noreg"), tmp_path / "m.tgz")
    done = _run_bounded([str(archive), "--no-cache"], tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{archive}: HUB20" in done.stdout or f"{archive}[" in done.stdout, done.stdout
    shown = _run_bounded(["show", str(archive), "--format", "json"], tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["path"] == str(archive)
