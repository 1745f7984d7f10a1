"""MedMNIST: the shipped official files, the online path proven on them through a local server, strict
archives (headers checked before anything is inflated), and an in-memory cache nobody can poison."""

from __future__ import annotations

import dataclasses
import os
import shutil
import tracemalloc
import zipfile

import numpy as np
import pytest
from _http_server import LocalServer

from medcourse.data import load_dataset, medmnist
from medcourse.data.medmnist import registry

#: The official files the course ships (data/medmnist/), by (flag, size).
SHIPPED = [("breastmnist", 28), ("retinamnist", 28), ("adrenalmnist3d", 28), ("adrenalmnist3d", 64),
           ("vesselmnist3d", 28), ("vesselmnist3d", 64)]


def _write_official_layout(path, *, images_shape=(28, 28), classes=2, label_width=1, sizes=(12, 4, 6),
                           label_dtype=np.uint8, seed=0, compressed=True):
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, count in zip(("train", "val", "test"), sizes, strict=True):
        arrays[f"{split}_images"] = rng.integers(0, 256, (count, *images_shape), dtype=np.uint8)
        arrays[f"{split}_labels"] = rng.integers(0, classes, (count, label_width)).astype(label_dtype)
    (np.savez_compressed if compressed else np.savez)(path, **arrays)
    return arrays


@pytest.fixture
def registered(monkeypatch):
    """Register the MD5 of a file the test wrote, as if it were the official one."""

    def register(flag, path, size=28):
        info = medmnist.REGISTRY[flag]
        entry = dataclasses.replace(info, md5s={**info.md5s, size: medmnist.md5(path)})
        monkeypatch.setitem(medmnist.REGISTRY, flag, entry)

    return register


@pytest.fixture
def without_shipped_data(monkeypatch):
    """As in a medcourse installed without the repository's data/ folder."""
    monkeypatch.setattr("medcourse.data.shipped.shipped_file", lambda relative: None)


@pytest.fixture
def official_server(tmp_path, monkeypatch):
    """The shipped official files served from 127.0.0.1, with the registry pointing at them."""
    folder = tmp_path / "served"
    folder.mkdir()
    for flag, size in SHIPPED:
        name = medmnist.REGISTRY[flag].file_name(size)
        shutil.copyfile(medmnist.shipped_path(flag, size), folder / name)
    with LocalServer(folder) as server:
        monkeypatch.setattr(registry, "BASE_URL", f"{server.url}/files")
        yield server


# --- the registry and the shipped official files ---------------------------------------------------


def test_registry_lists_every_dataset_with_complete_metadata_and_its_medmnist_plus_sizes():
    for flag, info in medmnist.REGISTRY.items():
        assert info.sizes == ((28, 64) if info.volumetric else (28, 64, 128, 224)), flag
        for size in info.sizes:
            assert len(info.md5_for(size)) == 32 and int(info.md5_for(size), 16) >= 0
            suffix = "" if size == 28 else f"_{size}"
            assert info.url_for(size) == f"https://zenodo.org/records/10519652/files/{flag}{suffix}.npz?download=1"
        assert len(set(info.md5s.values())) == len(info.sizes)
        assert info.classes and info.channels in (1, 3) and set(info.samples) == {"train", "val", "test"}
        assert info.licence.startswith("CC BY")
    assert medmnist.REGISTRY["chestmnist"].task == "multilabel"
    assert medmnist.REGISTRY["nodulemnist3d"].volumetric


@pytest.mark.parametrize(("flag", "size"), SHIPPED)
def test_each_shipped_official_file_loads_verified_with_the_registrys_shapes(flag, size):
    info = medmnist.REGISTRY[flag]
    path = medmnist.shipped_path(flag, size)
    assert path is not None and medmnist.md5(path) == info.md5_for(size)
    data = load_dataset(flag, size=size, download=False)
    assert data.info["origin"] == "shipped" and data.info["verified"] and data.info["path"] == str(path)
    for split, (images, labels) in data.splits().items():
        assert images.shape == (info.samples[split], *info.image_shape_for(size)) and images.dtype == np.uint8
        assert labels.shape == (info.samples[split],) and labels.dtype == np.int64
        assert set(np.unique(labels)) <= set(range(len(info.classes)))
    assert len(np.unique(data.train[1])) == len(info.classes)  # every class occurs in training


def test_the_64_pixel_volumes_are_the_28_pixel_volumes_on_a_finer_grid():
    from scipy import ndimage

    small = load_dataset("vesselmnist3d", download=False)
    large = load_dataset("vesselmnist3d", size=64, download=False)
    np.testing.assert_array_equal(small.test[1], large.test[1])  # the same cases in the same order
    for case in range(0, 40, 8):
        shrunk = ndimage.zoom(large.test[0][case].astype(float), 28 / 64, order=1)
        assert np.corrcoef(shrunk.ravel(), small.test[0][case].astype(float).ravel())[0, 1] > 0.8


def test_a_size_medmnist_does_not_publish_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match=r"size must be one of \(28, 64, 128, 224\) .* 'breastmnist', got 32"):
        load_dataset("breastmnist", size=32)
    with pytest.raises(ValueError, match=r"size must be one of \(28, 64\) for the 3-D MedMNIST dataset"):
        load_dataset("vesselmnist3d", size=128)
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['seed'\]"):
        load_dataset("breastmnist", seed=1)


# --- the online path, proven on the official files ---------------------------------------------------


@pytest.mark.parametrize(("flag", "size"), [("breastmnist", 28), ("vesselmnist3d", 64)])
def test_the_official_file_downloads_verifies_against_the_real_registry_and_loads(
        tmp_path, official_server, without_shipped_data, flag, size):
    cache = tmp_path / "cache"
    data = load_dataset(flag, root=cache, size=size)
    stored = cache / medmnist.REGISTRY[flag].file_name(size)
    assert data.info["origin"] == "downloaded" and data.info["path"] == str(stored)
    assert medmnist.md5(stored) == medmnist.REGISTRY[flag].md5_for(size)
    with np.load(official_server.server.RequestHandlerClass.served / stored.name) as official:
        np.testing.assert_array_equal(data.train[0], official["train_images"])
        np.testing.assert_array_equal(data.test[1], official["test_labels"][:, 0])
    again = load_dataset(flag, root=cache, size=size, download=False)  # now from the cache, no request
    assert again.info["origin"] == "cache" and sum(official_server.requests.values()) == 1


def test_lookup_order_is_shipped_then_cache_then_download(tmp_path, official_server, registered):
    cache = tmp_path / "cache"
    cache.mkdir()
    _write_official_layout(cache / "breastmnist.npz")  # a different file in the cache
    assert load_dataset("breastmnist", root=cache, verify=False).info["origin"] == "shipped"
    _write_official_layout(cache / "pneumoniamnist.npz")
    registered("pneumoniamnist", cache / "pneumoniamnist.npz")
    assert load_dataset("pneumoniamnist", root=cache).info["origin"] == "cache"
    assert sum(official_server.requests.values()) == 0


def test_missing_file_without_download_names_the_file_and_the_fetch_command(tmp_path):
    with pytest.raises(medmnist.MedMNISTError) as caught:
        load_dataset("pneumoniamnist", root=tmp_path, download=False, size=64)
    message = str(caught.value)
    assert str(tmp_path / "pneumoniamnist_64.npz") in message
    assert "python -m medcourse fetch pneumoniamnist --size 64" in message and caught.value.reason == "missing"


def test_root_defaults_to_the_environment_variable(tmp_path, monkeypatch, registered):
    _write_official_layout(tmp_path / "pneumoniamnist.npz")
    registered("pneumoniamnist", tmp_path / "pneumoniamnist.npz")
    monkeypatch.setenv("MEDCOURSE_DATA", str(tmp_path))
    assert medmnist.file_path("pneumoniamnist") == tmp_path / "pneumoniamnist.npz"
    assert load_dataset("pneumoniamnist", download=False).val[0].shape == (4, 28, 28)


# --- files the tests write in the official layout -----------------------------------------------------


def test_a_verified_official_layout_file_loads_as_a_dataset(tmp_path, registered):
    arrays = _write_official_layout(tmp_path / "pneumoniamnist.npz")
    registered("pneumoniamnist", tmp_path / "pneumoniamnist.npz")
    data = load_dataset("pneumoniamnist", root=tmp_path, download=False)
    assert data.task == "binary" and data.classes == ("normal", "pneumonia")
    assert data.train[0].shape == (12, 28, 28) and data.train[0].dtype == np.uint8
    assert data.train[1].shape == (12,) and data.train[1].dtype == np.int64
    np.testing.assert_array_equal(data.test[1], arrays["test_labels"][:, 0])
    assert "MedMNIST" in data.citation and data.licence == "CC BY 4.0"


def test_load_dataset_rejects_checksum_mismatch_unless_verify_is_false(tmp_path):
    _write_official_layout(tmp_path / "pneumoniamnist.npz")
    with pytest.raises(medmnist.MedMNISTError, match=r"pneumoniamnist\.npz has MD5 .* expected 28209eda.*"
                                                      r"python -m medcourse fetch pneumoniamnist`: it moves"):
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
    path = tmp_path / "pneumoniamnist.npz"
    _write_official_layout(path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(medmnist.MedMNISTError, match=r"pneumoniamnist\.npz is not a readable \.npz archive .* "
                                                      r"probably truncated"):
        load_dataset("pneumoniamnist", root=tmp_path, verify=False, download=False)
    with pytest.raises(medmnist.MedMNISTError, match=r"pneumoniamnist\.npz has MD5"):
        load_dataset("pneumoniamnist", root=tmp_path, download=False)


def test_a_file_in_another_layout_is_refused_with_the_missing_keys(tmp_path):
    np.savez(tmp_path / "pneumoniamnist.npz", x_train=np.zeros((2, 28, 28), dtype=np.uint8))
    with pytest.raises(medmnist.MedMNISTError, match=r"not in the MedMNIST layout: it lacks \['train_images'"):
        load_dataset("pneumoniamnist", root=tmp_path, verify=False, download=False)


# --- archives are checked header by header before anything is inflated ---------------------------------


def test_object_arrays_are_refused_as_pickled_objects(tmp_path):
    arrays = {key: np.array([object()] * 2, dtype=object) for key in medmnist.KEYS}
    np.savez(tmp_path / "pneumoniamnist.npz", **arrays)
    with pytest.raises(medmnist.MedMNISTError, match=r"'train_images' contains pickled Python objects; refused"):
        load_dataset("pneumoniamnist", root=tmp_path, verify=False, download=False)


def _with_member_header(path, key, shape, data=b"", dtype="|u1"):
    """Rewrite member ``key`` of the archive ``path`` with a header announcing ``shape`` and the bytes ``data``."""
    import io

    members = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            members[info.filename] = archive.read(info)
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": dtype, "fortran_order": False, "shape": shape})
    members[f"{key}.npy"] = buffer.getvalue() + data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)


@pytest.mark.parametrize(("shape", "words"), [
    ((10**15, 28, 28), r"claims shape \(1000000000000000, 28, 28\) \(784,000,000.0 GB when decompressed\), "
                       r"more than the ceiling"),
    ((1_400_000, 28, 28), r"train_images claims 1,400,000 images, but MedMNIST 'pneumoniamnist' has 4,708"),
    ((12, 64, 64), r"train_images must be uint8 of shape \(N, 28, 28\)"),
])
def test_headers_that_claim_too_much_are_refused_before_decompressing(tmp_path, shape, words):
    path = tmp_path / "pneumoniamnist.npz"
    _write_official_layout(path)
    _with_member_header(path, "train_images", shape)
    with pytest.raises(medmnist.MedMNISTError, match=words):
        load_dataset("pneumoniamnist", root=tmp_path, verify=False, download=False)


def test_a_small_file_that_inflates_far_beyond_its_size_is_refused_without_inflating_it(tmp_path):
    path = tmp_path / "pneumoniamnist.npz"
    _write_official_layout(path)
    claimed = (150_000, 28, 28)  # 118 MB of zeros, compressed to about 0.1 MB
    _with_member_header(path, "train_images", claimed, data=bytes(int(np.prod(claimed))))
    assert path.stat().st_size < 1_000_000
    tracemalloc.start()
    try:
        with pytest.raises(medmnist.MedMNISTError, match=r"claims 150,000 images.*refused before decompressing"):
            load_dataset("pneumoniamnist", root=tmp_path, verify=False, download=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000


def test_an_archive_whose_sizes_disagree_with_its_headers_is_damaged(tmp_path):
    path = tmp_path / "pneumoniamnist.npz"
    _write_official_layout(path)
    _with_member_header(path, "train_images", (12, 28, 28), data=bytes(100))
    with pytest.raises(medmnist.MedMNISTError, match=r"'train_images' announces 9,408 bytes of data, but the "
                                                      r"archive holds 100; the file is damaged"):
        load_dataset("pneumoniamnist", root=tmp_path, verify=False, download=False)


@pytest.mark.parametrize(("flag", "labels", "words"), [
    ("pneumoniamnist", np.full((12, 1), 2, dtype=np.uint8), r"train_labels must be class indices 0…1, got values "
                                                            r"from 2 to 2"),
    ("pneumoniamnist", np.full((12, 1), 0.5), r"train_labels must be integers of shape"),
    ("chestmnist", np.full((12, 14), 3, dtype=np.uint8), r"train_labels must be 0 or 1 for each finding"),
])
def test_labels_must_be_integers_in_range(tmp_path, flag, labels, words):
    path = tmp_path / f"{flag}.npz"
    arrays = _write_official_layout(path, label_width=labels.shape[1])
    arrays["train_labels"] = labels
    np.savez_compressed(path, **arrays)
    with pytest.raises(medmnist.MedMNISTError, match=words):
        load_dataset(flag, root=tmp_path, verify=False, download=False)


# --- the in-memory cache cannot be poisoned -------------------------------------------------------------


def test_the_arrays_handed_out_cannot_be_made_writable_so_the_next_load_is_unchanged():
    first = load_dataset("breastmnist", download=False)
    images, labels = first.train
    original = images.copy()
    for array in (images, labels, images.base, images[:10], images.reshape(-1)):
        with pytest.raises(ValueError, match="cannot set WRITEABLE flag"):
            array.flags.writeable = True
    with pytest.raises(ValueError, match="read-only"):
        images[0, 0, 0] = 0
    np.testing.assert_array_equal(load_dataset("breastmnist", download=False).train[0], original)


@pytest.mark.parametrize("replace", ["by renaming", "in place"])
def test_the_cache_notices_a_file_replaced_with_the_same_size_and_modification_time(tmp_path, replace):
    path = tmp_path / "pneumoniamnist.npz"
    _write_official_layout(path, compressed=False)  # uncompressed: the size depends on the shapes only
    first = load_dataset("pneumoniamnist", root=tmp_path, verify=False, download=False).train[0].copy()
    before = path.stat()
    replacement = tmp_path / "replacement.npz"
    _write_official_layout(replacement, compressed=False, seed=1)
    if replace == "by renaming":
        os.replace(replacement, path)
    else:
        with open(path, "r+b") as stream:
            stream.write(replacement.read_bytes())
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    second = load_dataset("pneumoniamnist", root=tmp_path, verify=False, download=False).train[0]
    assert not np.array_equal(second, first)
    np.testing.assert_array_equal(second, np.load(path)["train_images"])


def test_an_unreadable_file_is_reported_as_unreadable_not_corrupt(tmp_path, monkeypatch):
    from medcourse.data.medmnist import files

    _write_official_layout(tmp_path / "pneumoniamnist.npz")

    def refuse(path):  # what reading another user's mode-0600 file gives (root reads everything, so simulate)
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(files, "file_md5", refuse)
    with pytest.raises(medmnist.MedMNISTError, match=r"cannot be read \(permission denied\): it is not corrupt.*"
                                                      r"chmod a\+r") as caught:
        load_dataset("pneumoniamnist", root=tmp_path, download=False)
    assert caught.value.reason == "unreadable"
    assert medmnist.status("pneumoniamnist", tmp_path)[0] == "unverified"
