"""Downloads against a local server on 127.0.0.1 serving the shipped official MedMNIST files (never the internet):
deadlines, slow drips, killed downloads, HTTP errors, truncated bodies, permissions (issue 12, items 7–10)."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _http_server import LocalServer

from medcourse.data import cache, medmnist
from medcourse.data.download import DownloadError, Limits, download_file
from medcourse.data.medmnist import registry

BREAST = medmnist.REGISTRY["breastmnist"]


@pytest.fixture
def served(tmp_path):
    """The shipped breastmnist.npz (the official file) served from 127.0.0.1."""
    shipped = medmnist.shipped_path("breastmnist")
    assert shipped is not None, "data/medmnist/breastmnist.npz must ship with the course"
    folder = tmp_path / "served"
    folder.mkdir()
    (folder / "breastmnist.npz").write_bytes(shipped.read_bytes())
    with LocalServer(folder) as server:
        yield server


@pytest.fixture
def base_url(monkeypatch):
    """Point the registry at the local server: ``base_url(server, "files")``."""

    def point(server, kind="files"):
        monkeypatch.setattr(registry, "BASE_URL", f"{server.url}/{kind}")

    return point


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _leftovers(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_a_download_is_stored_world_readable_with_the_official_md5(tmp_path, served, base_url):
    base_url(served)
    previous = os.umask(0o077)  # pooch's temporary files were 0600 whatever the umask
    try:
        path = medmnist.download("breastmnist", tmp_path / "cache", progressbar=False)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert medmnist.md5(path) == BREAST.md5
    assert _leftovers(tmp_path / "cache") == ["breastmnist.npz"]


def test_a_dripping_server_is_abandoned_as_too_slow_and_leaves_nothing(tmp_path, served):
    limits = Limits(timeout=5.0, minimum_rate=1000.0, window=1.0)
    with pytest.raises(DownloadError, match=r"too slowly \(\d+ bytes/s .* at least 1,000") as caught:
        download_file(f"{served.url}/drip/breastmnist.npz", tmp_path / "cache" / "breastmnist.npz",
                      md5=BREAST.md5, limits=limits, progressbar=False)
    assert caught.value.reason == "too-slow"
    assert _leftovers(tmp_path / "cache") == []


def test_a_download_past_its_deadline_is_abandoned_and_leaves_nothing(tmp_path, served):
    limits = Limits(timeout=5.0, minimum_rate=100.0, window=30.0, deadline=1.0)
    with pytest.raises(DownloadError, match=r"did not finish within its deadline of 1 s") as caught:
        download_file(f"{served.url}/trickle/breastmnist.npz", tmp_path / "cache" / "breastmnist.npz",
                      md5=BREAST.md5, limits=limits, progressbar=False)
    assert caught.value.reason == "deadline"
    assert _leftovers(tmp_path / "cache") == []


def test_a_server_that_accepts_but_never_answers_is_abandoned(tmp_path, served):
    with pytest.raises(DownloadError, match=r"accepted the connection but did not answer within 0.5 s") as caught:
        download_file(f"{served.url}/silent/breastmnist.npz", tmp_path / "cache" / "breastmnist.npz",
                      md5=None, limits=Limits(timeout=0.5), progressbar=False)
    assert caught.value.reason == "too-slow"
    assert _leftovers(tmp_path / "cache") == []


def test_the_partial_file_of_a_killed_download_is_not_data_and_the_next_attempt_removes_it(tmp_path, served):
    folder = tmp_path / "cache"
    script = ("import sys\nfrom medcourse.data.download import download_file\n"
              "download_file(sys.argv[1], sys.argv[2], md5=None, progressbar=False)\n")
    child = subprocess.Popen([sys.executable, "-c", script, f"{served.url}/drip/breastmnist.npz",
                              str(folder / "breastmnist.npz")], stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):  # wait (at most 30 s) until the child is downloading into its partial file
            partials = list((folder / cache.PARTIAL_DIR).glob("breastmnist.npz.*.part"))
            if partials:
                break
            time.sleep(0.1)
        assert partials, "the child never started downloading"
    finally:
        child.kill()
        child.wait()
    assert partials[0].is_file()                    # killed: its partial file stays behind …
    assert cache.data_files(folder) == []           # … but it is never listed as data
    download_file(f"{served.url}/files/breastmnist.npz", folder / "breastmnist.npz", md5=BREAST.md5,
                  progressbar=False)
    assert not partials[0].exists()                 # the next attempt removed it
    assert _leftovers(folder) == ["breastmnist.npz"]


def test_offline_names_the_file_the_url_and_the_fetch_command(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "BASE_URL", f"http://127.0.0.1:{_closed_port()}/files")
    with pytest.raises(medmnist.MedMNISTError) as caught:
        medmnist.download("pneumoniamnist", tmp_path, progressbar=False)
    message = str(caught.value)
    assert caught.value.reason == "offline" and "you seem to be offline" in message
    assert str(tmp_path / "pneumoniamnist.npz") in message and "pneumoniamnist.npz?download=1" in message
    assert "python -m medcourse fetch pneumoniamnist" in message
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(("status", "words"), [
    (404, r"HTTP 404 Not Found: the file is not available there; the registry's address may be out of date"),
    (500, r"HTTP 500 Internal Server Error: a problem on the server's side; try again later"),
    (503, r"HTTP 503 Service Unavailable: a problem on the server's side; try again later"),
])
def test_http_errors_give_the_status_and_the_fix(tmp_path, served, base_url, status, words):
    base_url(served, f"status/{status}")
    with pytest.raises(medmnist.MedMNISTError, match=words) as caught:
        medmnist.download("breastmnist", tmp_path / "cache", progressbar=False)
    assert caught.value.reason == "http" and caught.value.status == status
    assert f"place it at {tmp_path / 'cache' / 'breastmnist.npz'}" in str(caught.value)
    assert _leftovers(tmp_path / "cache") == []


@pytest.mark.parametrize("verify", [True, False])
def test_a_truncated_body_is_never_stored_under_the_final_name(tmp_path, served, base_url, verify):
    base_url(served, "truncated")
    with pytest.raises(medmnist.MedMNISTError, match=r"truncated: the connection .* of 559,580 bytes") as caught:
        medmnist.download("breastmnist", tmp_path / "cache", verify=verify, progressbar=False)
    assert caught.value.reason == "truncated"
    assert _leftovers(tmp_path / "cache") == []


def test_a_truncated_body_without_a_content_length_is_caught_by_the_archive_check(tmp_path, served, base_url):
    base_url(served, "unannounced")  # the server closes early and never said how long the file is
    with pytest.raises(medmnist.MedMNISTError, match=r"not a valid \.npz archive .*probably truncated") as caught:
        medmnist.download("breastmnist", tmp_path / "cache", verify=False, progressbar=False)
    assert caught.value.reason == "invalid"
    assert _leftovers(tmp_path / "cache") == []


def test_an_md5_mismatch_is_discarded_with_its_own_message(tmp_path, served, base_url, monkeypatch):
    base_url(served)
    other = {**BREAST.md5s, 28: "0" * 32}
    import dataclasses

    monkeypatch.setitem(medmnist.REGISTRY, "breastmnist", dataclasses.replace(BREAST, md5s=other))
    with pytest.raises(medmnist.MedMNISTError, match=rf"has MD5 {BREAST.md5}, not the expected 0{{32}}") as caught:
        medmnist.download("breastmnist", tmp_path / "cache", progressbar=False)
    assert caught.value.reason == "md5" and "it was discarded" in str(caught.value)
    assert _leftovers(tmp_path / "cache") == []


def test_a_root_that_is_a_file_is_refused_before_anything_is_downloaded(tmp_path, served, base_url):
    base_url(served)
    not_a_folder = tmp_path / "data.txt"
    not_a_folder.write_text("my notes")
    with pytest.raises(medmnist.MedMNISTError, match=r"data\.txt is a file, not a folder") as caught:
        medmnist.download("breastmnist", not_a_folder, progressbar=False)
    assert caught.value.reason == "not-a-directory" and "MEDCOURSE_DATA" in str(caught.value)
    assert sum(served.requests.values()) == 0
    assert not_a_folder.read_text() == "my notes"


def _unwritable_folder(tmp_path) -> Path:
    """A folder this process cannot write in, even as root (where chmod does not stop writes)."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    candidate = Path("/sys/medcourse-test")  # sysfs refuses new folders to everyone
    try:
        candidate.mkdir()
    except PermissionError:
        return candidate
    candidate.rmdir()
    pytest.skip("no folder on this machine refuses writes to this user")


def test_permission_denied_is_refused_before_anything_is_downloaded(tmp_path, served, base_url):
    base_url(served)
    folder = _unwritable_folder(tmp_path)
    with pytest.raises(medmnist.MedMNISTError, match=r"cannot write into the data folder .*permission denied") as caught:
        medmnist.download("breastmnist", folder, progressbar=False)
    assert caught.value.reason == "permission" and "set MEDCOURSE_DATA to a folder you can write" in str(caught.value)
    assert sum(served.requests.values()) == 0


def test_a_file_that_is_not_an_npz_archive_is_not_stored(tmp_path, served, base_url):
    (served.server.RequestHandlerClass.served / "pneumoniamnist.npz").write_bytes(b"<html>login page</html>")
    base_url(served)
    with pytest.raises(medmnist.MedMNISTError, match=r"not a valid \.npz archive") as caught:
        medmnist.download("pneumoniamnist", tmp_path / "cache", verify=False, progressbar=False)
    assert caught.value.reason == "invalid"
    assert _leftovers(tmp_path / "cache") == []
