"""``python -m medcourse fetch``: fills and repairs the data folder with the official files, and lists what is
there, verified or not, with sizes in MB (issue 12 item 10, issue 13 item 15, issue 14 item 2)."""

from __future__ import annotations

import shutil
import socket

import pytest
from _http_server import LocalServer

from medcourse.course.fetch import main as fetch_main
from medcourse.data import cache, medmnist
from medcourse.data.medmnist import registry

BREAST = medmnist.REGISTRY["breastmnist"]
VESSEL = medmnist.REGISTRY["vesselmnist3d"]


@pytest.fixture
def official_server(tmp_path, monkeypatch):
    """breastmnist.npz and vesselmnist3d_64.npz as shipped (the official files), served from 127.0.0.1."""
    folder = tmp_path / "served"
    folder.mkdir()
    shutil.copyfile(medmnist.shipped_path("breastmnist"), folder / "breastmnist.npz")
    shutil.copyfile(medmnist.shipped_path("vesselmnist3d", 64), folder / "vesselmnist3d_64.npz")
    with LocalServer(folder) as server:
        monkeypatch.setattr(registry, "BASE_URL", f"{server.url}/files")
        yield server


@pytest.fixture
def without_shipped_data(monkeypatch):
    monkeypatch.setattr("medcourse.data.shipped.shipped_file", lambda relative: None)


def _row(listing: str, name: str) -> str:
    return next(line for line in listing.splitlines() if line.split("  ")[0].strip() == name)


def test_fetch_downloads_the_official_file_and_says_so(tmp_path, official_server, without_shipped_data, capsys):
    root = tmp_path / "data"
    assert fetch_main(["fetch", "breastmnist", "lesions", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"breastmnist: downloaded, MD5 checked: {root / 'breastmnist.npz'}" in out
    assert "lesions: generated on the fly" in out
    assert medmnist.md5(root / "breastmnist.npz") == BREAST.md5
    assert fetch_main(["breastmnist", "--root", str(root)]) == 0
    assert "breastmnist: already there, MD5 checked" in capsys.readouterr().out
    assert sum(official_server.requests.values()) == 1


def test_fetch_takes_a_medmnist_plus_size(tmp_path, official_server, without_shipped_data, capsys):
    root = tmp_path / "data"
    assert fetch_main(["vesselmnist3d", "--size", "64", "--root", str(root)]) == 0
    assert medmnist.md5(root / "vesselmnist3d_64.npz") == VESSEL.md5_for(64)
    assert fetch_main(["vesselmnist3d", "--size", "128", "--root", str(root)]) == 2
    assert "size must be one of (28, 64)" in capsys.readouterr().err


def test_fetch_copies_a_shipped_file_without_the_network(tmp_path, official_server, capsys):
    root = tmp_path / "data"
    assert fetch_main(["vesselmnist3d", "--size", "64", "--root", str(root)]) == 0
    assert "copied from the shipped data (no download)" in capsys.readouterr().out
    assert medmnist.md5(root / "vesselmnist3d_64.npz") == VESSEL.md5_for(64)
    assert sum(official_server.requests.values()) == 0


@pytest.mark.parametrize("damage", ["wrong bytes", "zero bytes"])
def test_fetch_repairs_a_bad_file_by_moving_it_aside_and_downloading_again(
        tmp_path, official_server, without_shipped_data, capsys, damage):
    root = tmp_path / "data"
    root.mkdir()
    bad = b"" if damage == "zero bytes" else b"someone's half-copied file"
    (root / "breastmnist.npz").write_bytes(bad)
    assert fetch_main(["breastmnist", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "repaired: the file had the wrong MD5 and was moved to" in out and "downloaded" in out
    assert medmnist.md5(root / "breastmnist.npz") == BREAST.md5
    moved = list((root / cache.MOVED_ASIDE_DIR).iterdir())
    assert len(moved) == 1 and moved[0].read_bytes() == bad  # kept, never deleted
    assert [p.name for p in cache.data_files(root)] == ["breastmnist.npz"]


def test_fetch_list_shows_verified_corrupt_and_missing_files_with_sizes_in_megabytes(
        tmp_path, without_shipped_data, capsys):
    root = tmp_path / "data"
    root.mkdir()
    shutil.copyfile(_shipped("breastmnist"), root / "breastmnist.npz")
    (root / "retinamnist.npz").write_bytes(b"")
    shutil.copyfile(_shipped("vesselmnist3d", 64), root / "vesselmnist3d_64.npz")
    assert fetch_main(["--list", "--root", str(root)]) == 0
    listing = capsys.readouterr().out
    assert _row(listing, "breastmnist").endswith("0.6  verified")
    assert _row(listing, "retinamnist").endswith("0.0  corrupt")
    assert _row(listing, "vesselmnist3d --size 64").endswith("2.7  verified")
    assert _row(listing, "pneumoniamnist").endswith("not here")
    assert "MB" in listing.splitlines()[0] and f"MedMNIST folder: {root}" in listing


def _shipped(flag, size=28):
    from medcourse.data.shipped import shipped_dir

    return shipped_dir() / "medmnist" / medmnist.REGISTRY[flag].file_name(size)


def test_fetch_list_marks_shipped_files(capsys):
    assert fetch_main(["--list"]) == 0
    assert _row(capsys.readouterr().out, "breastmnist").endswith("shipped with the course, verified")


def test_fetch_reports_unknown_names_and_failed_downloads(tmp_path, monkeypatch, capsys):
    assert fetch_main(["no-such-set"]) == 2
    assert "unknown dataset name(s) ['no-such-set']" in capsys.readouterr().err
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(registry, "BASE_URL", f"http://127.0.0.1:{port}")
    assert fetch_main(["pneumoniamnist", "--root", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert "you seem to be offline" in error and "python -m medcourse fetch pneumoniamnist" in error


def test_fetch_help_promises_sizes_in_megabytes(capsys):
    with pytest.raises(SystemExit):
        fetch_main(["--help"])
    assert "size on disk in MB" in " ".join(capsys.readouterr().out.split())
