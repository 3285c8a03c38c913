"""Remote modules (fsspec, extra ``hublint[remote]``): a real HTTP server on 127.0.0.1 that honours
``Range`` serves real committed modules; linting a ~100 MB module folder over it must give the local
folder's findings and fetch only a sliver of its bytes (the data shards are never downloaded)."""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import socket
import threading
from pathlib import Path

import pytest

from tests.conftest import exported_module
from tests.module_fixtures import lint, module_copy, sparse_file
from tests.test_module_archives import _comparable, _summary_without_path, pack

# The remote extra is part of the test dependencies: without it these tests fail, they do not skip.
import aiohttp  # noqa: E402,F401
import fsspec  # noqa: E402,F401

SHARD = "variables/variables.data-00000-of-00001"


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with ``Range: bytes=a-b`` support; counts every body byte it sends."""

    sent: list[int]  # set per server: one shared counter

    def log_message(self, *args) -> None:  # quiet test output
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        self._remaining = 1 << 62
        if os.path.isdir(path):
            return super().send_head()  # the directory listing fsspec lists folders with
        try:
            handle = open(path, "rb")
        except OSError:
            self.send_error(404, "File not found")
            return None
        size = os.fstat(handle.fileno()).st_size
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if match:
            start = int(match.group(1))
            end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
            if start >= size or end < start:
                handle.close()
                self.send_error(416, "Range not satisfiable")
                return None
            handle.seek(start)
            self._remaining = end - start + 1
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        else:
            self._remaining = size
            self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(self._remaining))
        self.end_headers()
        return handle

    def copyfile(self, source, outputfile) -> None:
        try:
            while self._remaining > 0:
                chunk = source.read(min(1 << 16, self._remaining))
                if not chunk:
                    break
                outputfile.write(chunk)
                self.sent[0] += len(chunk)
                self._remaining -= len(chunk)
        except (BrokenPipeError, ConnectionResetError):  # the client had what it wanted
            pass


@pytest.fixture
def http_root(tmp_path):
    """``(folder served, base URL, bytes sent)`` of a Range-honouring server on 127.0.0.1."""
    root = tmp_path / "www"
    root.mkdir()
    sent = [0]
    handler = type("Handler", (_RangeHandler,), {"sent": sent})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}", sent
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _module_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def test_a_100_mb_remote_folder_is_linted_from_a_sliver_of_its_bytes(http_root, tmp_path):
    root, base, sent = http_root
    module = module_copy("text_embedding", root)  # assets too: the listing is read over HTTP
    sparse_file(module / SHARD, 100 << 20)  # a ~100 MB data shard (a hole on disk)
    total = _module_bytes(module)
    assert total > 100 << 20

    remote_findings, remote_summary = lint(f"{base}/text_embedding/")
    local_findings, local_summary = lint(module)

    assert sent[0] < 0.05 * total, f"{sent[0]} of {total} bytes fetched"
    assert remote_summary["meta_graphs"], remote_summary["problems"]
    url = f"{base}/text_embedding"
    assert _comparable(remote_findings, url) == _comparable(local_findings, str(module))
    assert _summary_without_path(remote_summary) == _summary_without_path(local_summary)
    assert remote_summary["checkpoint"]["shards"] == {SHARD.split("/")[1]: 100 << 20}
    assert remote_summary["assets"]["files"] == {"tokens.txt": 88}


@pytest.mark.parametrize("fmt", ("tar.gz", "zip"))
def test_a_remote_archive_gives_the_folders_findings(fmt, http_root):
    root, base, _ = http_root
    folder = exported_module("dense_noreg")
    pack(folder, root / f"m.{fmt}")
    findings, summary = lint(f"{base}/m.{fmt}")
    assert summary["meta_graphs"], summary["problems"]
    assert _comparable(findings, f"{base}/m.{fmt}") == _comparable(lint(folder)[0], str(folder))


def test_a_remote_zip_is_read_without_its_shards(http_root):
    """A zip has a central directory: only it and the graph and index are fetched."""
    root, base, sent = http_root
    module = module_copy("dense_l2", root / "src")
    (module / SHARD).write_bytes(os.urandom(8 << 20))  # incompressible: stored as it is
    archive = pack(module, root / "m.zip")
    shutil.rmtree(root / "src")
    findings, summary = lint(f"{base}/m.zip")
    assert summary["checkpoint"]["shards"] == {SHARD.split("/")[1]: 8 << 20}
    assert sent[0] < 0.25 * archive.stat().st_size, f"{sent[0]} of {archive.stat().st_size} bytes fetched"


def test_missing_and_unreachable_urls_are_hub002(http_root):
    _, base, _ = http_root
    findings, summary = lint(f"{base}/no_such_module/")
    assert [f.rule_id for f in findings] == ["HUB002"] and summary["format"] is None
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for url in (f"http://127.0.0.1:{port}/module/", f"http://127.0.0.1:{port}/m.tar.gz"):
        findings, summary = lint(url)
        assert [f.rule_id for f in findings] == ["HUB002"], findings
        assert summary["format"] is None


def test_a_missing_back_end_or_an_unknown_protocol_says_what_to_do_not_to_export_again():
    # dropbox:// is a protocol fsspec knows whose back-end (dropboxdrivefs) this project never installs
    [missing] = lint("dropbox://team/modules/text_embedding")[0]
    assert missing.rule_id == "HUB002" and "dropboxdrivefs" in missing.message
    assert missing.fix.startswith("install the fsspec back-end for `dropbox://`"), missing.fix
    [unknown] = lint("nosuchprotocol://host/module")[0]
    assert "Protocol not known" in unknown.message and "available_protocols" in unknown.fix
    assert "export the module again" not in missing.fix + unknown.fix


def test_cli_lints_and_shows_a_url(http_root):
    from tests.conftest import cli_findings, run_cli

    root, base, _ = http_root
    module_copy("dense_noreg", root)
    code, findings = cli_findings(f"{base}/dense_noreg/")
    assert code == 1
    assert {f["rule_id"] for f in findings} == {f.rule_id for f in lint(exported_module("dense_noreg"))[0]}
    assert all(f["module"] == f"{base}/dense_noreg" for f in findings)
    shown = run_cli("show", f"{base}/dense_noreg")
    assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stderr
    assert f"Module: {base}/dense_noreg" in shown.stdout
