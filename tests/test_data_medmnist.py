"""MedMNIST loading without the network: files the tests write in the official layout, a local
server, and an unreachable address."""

from __future__ import annotations

import dataclasses
import functools
import http.server
import socket
import threading
import time

import numpy as np
import pytest

from medcourse.course.fetch import main as fetch_main
from medcourse.data import load_dataset, medmnist


def _write_official_layout(path, *, images_shape=(28, 28), classes=2, label_width=1, sizes=(12, 4, 6)):
    rng = np.random.default_rng(0)
    arrays = {}
    for split, count in zip(("train", "val", "test"), sizes, strict=True):
        arrays[f"{split}_images"] = rng.integers(0, 256, (count, *images_shape), dtype=np.uint8)
        arrays[f"{split}_labels"] = rng.integers(0, classes, (count, label_width), dtype=np.uint8)
    np.savez_compressed(path, **arrays)
    return arrays


@pytest.fixture
def registered(monkeypatch):
    """Register the MD5 of a file the test wrote, as if it were the official one."""

    def register(flag, path):
        entry = dataclasses.replace(medmnist.REGISTRY[flag], md5=medmnist.md5(path))
        monkeypatch.setitem(medmnist.REGISTRY, flag, entry)

    return register


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_registry_lists_the_course_datasets_with_complete_metadata():
    for flag in ("pneumoniamnist", "breastmnist", "bloodmnist", "pathmnist", "organamnist", "chestmnist",
                 "organmnist3d", "nodulemnist3d"):
        info = medmnist.REGISTRY[flag]
        assert len(info.md5) == 32 and int(info.md5, 16) >= 0
        assert info.url.startswith("https://zenodo.org/records/10519652/files/" + flag + ".npz")
        assert info.classes and info.channels in (1, 3) and set(info.samples) == {"train", "val", "test"}
        assert info.licence.startswith("CC BY")
    assert medmnist.REGISTRY["chestmnist"].task == "multilabel"
    assert medmnist.REGISTRY["nodulemnist3d"].volumetric


def test_a_verified_official_layout_file_loads_as_a_dataset(tmp_path, registered):
    arrays = _write_official_layout(tmp_path / "pneumoniamnist.npz")
    registered("pneumoniamnist", tmp_path / "pneumoniamnist.npz")
    data = load_dataset("pneumoniamnist", root=tmp_path, download=False)
    assert data.task == "binary" and data.classes == ("normal", "pneumonia")
    assert data.train[0].shape == (12, 28, 28) and data.train[0].dtype == np.uint8
    assert data.train[1].shape == (12,) and data.train[1].dtype == np.int64
    np.testing.assert_array_equal(data.test[1], arrays["test_labels"][:, 0])
    assert "MedMNIST" in data.citation and data.licence == "CC BY 4.0"


def test_root_defaults_to_the_environment_variable(tmp_path, monkeypatch, registered):
    _write_official_layout(tmp_path / "breastmnist.npz")
    registered("breastmnist", tmp_path / "breastmnist.npz")
    monkeypatch.setenv("MEDCOURSE_DATA", str(tmp_path))
    assert medmnist.file_path("breastmnist") == tmp_path / "breastmnist.npz"
    assert load_dataset("breastmnist", download=False).val[0].shape == (4, 28, 28)


def test_load_dataset_rejects_checksum_mismatch_unless_verify_is_false(tmp_path):
    _write_official_layout(tmp_path / "pneumoniamnist.npz")
    with pytest.raises(medmnist.MedMNISTError, match=r"pneumoniamnist\.npz has MD5 .* expected 28209eda"):
        load_dataset("pneumoniamnist", root=tmp_path, download=False)
    data = load_dataset("pneumoniamnist", root=tmp_path, verify=False, download=False)
    assert len(data.train[0]) == 12 and data.info["verified"] is False


def test_multilabel_colour_and_volume_layouts(tmp_path):
    _write_official_layout(tmp_path / "chestmnist.npz", classes=2, label_width=14)
    chest = load_dataset("chestmnist", root=tmp_path, verify=False, download=False)
    assert chest.task == "multilabel" and chest.train[1].shape == (12, 14) and len(chest.classes) == 14
    _write_official_layout(tmp_path / "bloodmnist.npz", images_shape=(28, 28, 3), classes=8)
    assert load_dataset("bloodmnist", root=tmp_path, verify=False, download=False).image_shape == (28, 28, 3)
    _write_official_layout(tmp_path / "nodulemnist3d.npz", images_shape=(28, 28, 28))
    volumes = load_dataset("nodulemnist3d", root=tmp_path, verify=False, download=False)
    assert volumes.train[0].shape == (12, 28, 28, 28)  # N × slices × H × W: a slice sequence


def test_a_truncated_file_is_reported_by_name(tmp_path):
    path = tmp_path / "breastmnist.npz"
    _write_official_layout(path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(medmnist.MedMNISTError, match=r"breastmnist\.npz is truncated or corrupt"):
        load_dataset("breastmnist", root=tmp_path, verify=False, download=False)
    with pytest.raises(medmnist.MedMNISTError, match=r"breastmnist\.npz has MD5"):
        load_dataset("breastmnist", root=tmp_path, download=False)


def test_a_file_in_another_layout_is_refused_with_the_missing_keys(tmp_path):
    np.savez(tmp_path / "breastmnist.npz", x_train=np.zeros((2, 28, 28), dtype=np.uint8))
    with pytest.raises(medmnist.MedMNISTError, match=r"not in the MedMNIST layout: it lacks \['train_images'"):
        load_dataset("breastmnist", root=tmp_path, verify=False, download=False)


def test_pickled_objects_are_never_loaded(tmp_path):
    arrays = {key: np.array([object()] * 2, dtype=object) for key in medmnist.KEYS}
    np.savez(tmp_path / "breastmnist.npz", **arrays)
    with pytest.raises(medmnist.MedMNISTError, match=r"breastmnist\.npz is truncated or corrupt"):
        load_dataset("breastmnist", root=tmp_path, verify=False, download=False)


def test_missing_file_without_download_names_the_file_and_the_fetch_command(tmp_path):
    with pytest.raises(medmnist.MedMNISTError) as caught:
        load_dataset("pneumoniamnist", root=tmp_path, download=False)
    message = str(caught.value)
    assert str(tmp_path / "pneumoniamnist.npz") in message
    assert "python -m medcourse fetch pneumoniamnist" in message


def test_unreachable_source_fails_fast_with_a_clear_message_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(medmnist, "BASE_URL", f"http://127.0.0.1:{_closed_port()}/files")
    start = time.perf_counter()
    with pytest.raises(medmnist.MedMNISTError) as caught:
        load_dataset("pneumoniamnist", root=tmp_path)
    assert time.perf_counter() - start < 10
    message = str(caught.value)
    assert "offline" in message and "python -m medcourse fetch pneumoniamnist" in message
    assert str(tmp_path / "pneumoniamnist.npz") in message
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.fixture
def local_server(tmp_path, monkeypatch):
    """Serve tmp_path/served over HTTP on 127.0.0.1 and point the registry's base URL at it."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(medmnist, "BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
    yield served
    server.shutdown()
    server.server_close()


def test_download_with_wrong_checksum_is_discarded_and_leaves_nothing(tmp_path, local_server):
    _write_official_layout(local_server / "breastmnist.npz")
    cache = tmp_path / "cache"
    with pytest.raises(medmnist.MedMNISTError, match="did not have the expected MD5"):
        load_dataset("breastmnist", root=cache)
    assert [p for p in cache.rglob("*") if p.is_file()] == []


def test_download_with_the_right_checksum_is_stored_and_loaded(tmp_path, local_server, registered):
    _write_official_layout(local_server / "breastmnist.npz")
    registered("breastmnist", local_server / "breastmnist.npz")
    cache = tmp_path / "cache"
    data = load_dataset("breastmnist", root=cache)
    assert (cache / "breastmnist.npz").is_file() and len(data.train[0]) == 12
    assert [p.name for p in cache.iterdir()] == ["breastmnist.npz"]


def test_fetch_command_downloads_lists_and_reports_failures(tmp_path, local_server, registered, capsys,
                                                            monkeypatch):
    _write_official_layout(local_server / "breastmnist.npz")
    registered("breastmnist", local_server / "breastmnist.npz")
    cache = str(tmp_path / "cache")
    assert fetch_main(["fetch", "breastmnist", "lesions", "--root", cache]) == 0
    out = capsys.readouterr().out
    assert "breastmnist: downloaded, MD5 checked" in out and "lesions: generated" in out
    assert fetch_main(["--list", "--root", cache]) == 0
    listing = capsys.readouterr().out
    assert any(line.startswith("breastmnist") and line.endswith(" cached") for line in listing.splitlines())
    assert any(line.startswith("pathmnist") and line.endswith("not cached") for line in listing.splitlines())
    assert fetch_main(["no-such-set"]) == 2
    assert "unknown dataset name(s) ['no-such-set']" in capsys.readouterr().err
    monkeypatch.setattr(medmnist, "BASE_URL", f"http://127.0.0.1:{_closed_port()}")
    assert fetch_main(["pneumoniamnist", "--root", cache]) == 1
    assert "python -m medcourse fetch pneumoniamnist" in capsys.readouterr().err


def test_medmnist_takes_no_generator_options(tmp_path):
    with pytest.raises(ValueError, match=r"MedMNIST datasets take no options, got \['size'\]"):
        load_dataset("pneumoniamnist", root=tmp_path, size=64)
