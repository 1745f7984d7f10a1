"""Specification of the real data shipped in data/: checked files, documented, found when installed, rebuildable."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest
from packaging.requirements import Requirement

from medcourse.data import shipped
from medcourse.data.shipped import SHIPPED_MD5, ShippedDataError

REPOSITORY = Path(__file__).resolve().parents[1]
DATA = REPOSITORY / "data"
BUDGET_BYTES = 15_000_000
DOCUMENTS = {"README.md", "hippocampus/LICENSE.md"}
sys.path.insert(0, str(REPOSITORY / "tools"))

import derive_bccd  # noqa: E402
import derive_hippocampus  # noqa: E402
import make_shipped_data  # noqa: E402


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def _files() -> set[str]:
    return {path.relative_to(DATA).as_posix() for path in DATA.rglob("*") if path.is_file()}


@pytest.mark.parametrize("relative", sorted(SHIPPED_MD5))
def test_every_shipped_file_is_in_data_with_its_recorded_md5(relative):
    assert _md5(DATA / relative) == SHIPPED_MD5[relative]
    assert shipped.require(relative) == DATA / relative


def test_data_holds_only_documented_files_within_the_size_budget():
    assert _files() == set(SHIPPED_MD5) | DOCUMENTS
    total = sum((DATA / relative).stat().st_size for relative in _files())
    assert total < BUDGET_BYTES


def test_the_readme_lists_each_file_with_its_md5_and_its_licence():
    readme = (DATA / "README.md").read_text()
    for relative, md5 in SHIPPED_MD5.items():
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{relative}`")), "")
        assert md5 in row, f"data/README.md lacks the row of {relative} with MD5 {md5}"
        assert f"{(DATA / relative).stat().st_size:,}" in row
    for licence in ("CC BY 4.0", "CC BY-SA 4.0", "MIT"):
        assert licence in readme
    assert "CC BY-SA 4.0" in (DATA / "hippocampus" / "LICENSE.md").read_text()
    assert "Permission is hereby granted" in (DATA / "bccd" / "LICENSE").read_text()


def test_the_official_medmnist_files_carry_the_registry_md5():
    from medcourse.data.medmnist import REGISTRY

    for flag in ("breastmnist", "retinamnist", "adrenalmnist3d", "vesselmnist3d"):
        assert SHIPPED_MD5[f"medmnist/{flag}.npz"] == REGISTRY[flag].md5


def test_shipped_dir_is_the_checkouts_data_folder_and_else_the_installed_package(tmp_path, monkeypatch):
    assert shipped.shipped_dir() == DATA
    checkout, installed = tmp_path / "checkout", tmp_path / "installed"
    for folder in (checkout, installed):
        (folder / "bccd").mkdir(parents=True)
    (installed / "README.md").write_text("installed")
    (installed / "bccd" / "LICENSE").write_text("MIT")
    monkeypatch.setattr(shipped, "_candidates", lambda: [checkout, installed])
    assert shipped.shipped_dir() == installed
    assert shipped.shipped_file("bccd/LICENSE") == installed / "bccd" / "LICENSE"
    assert shipped.shipped_file("bccd/missing.npz") is None
    with pytest.raises(ShippedDataError, match=r"bccd/LICENSE has MD5 .* pass verify=False"):
        shipped.require("bccd/LICENSE")
    assert shipped.require("bccd/LICENSE", verify=False) == installed / "bccd" / "LICENSE"
    with pytest.raises(ShippedDataError, match=r"'bccd/bccd_160x120.npz' is not in this copy of medcourse"):
        shipped.require("bccd/bccd_160x120.npz")
    with pytest.raises(ValueError, match=r"relative must be one of the shipped files"):
        shipped.require("bccd/other.npz")


def _pyproject() -> dict:
    return tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_pyproject_lists_every_package_of_medcourse_and_maps_data_as_one_copy():
    config = _pyproject()
    folders = {".".join(path.relative_to(REPOSITORY).parts) for path in (REPOSITORY / "medcourse").rglob("*")
               if path.is_dir() and path.name != "__pycache__" and any(path.glob("*.py"))}
    folders.add("medcourse")
    listed = set(config["packages"])
    missing = sorted(folders - listed)
    assert not missing, f"add {missing} to [tool.setuptools] packages in pyproject.toml, or installs lack them"
    data_packages = {name for name in listed if name.startswith(f"medcourse.data.{shipped.INSTALLED_PACKAGE}")}
    assert sorted(listed - folders - data_packages) == []
    assert config["package-dir"] == {f"medcourse.data.{shipped.INSTALLED_PACKAGE}": "data"}
    assert not list((REPOSITORY / "medcourse").rglob("*.npz")), "data belongs in data/, not in the package"


def test_package_data_globs_install_every_file_of_data():
    patterns = _pyproject()["package-data"]
    prefix = f"medcourse.data.{shipped.INSTALLED_PACKAGE}"
    for relative in _files():
        folder, _, name = relative.rpartition("/")
        package = f"{prefix}.{folder.replace('/', '.')}" if folder else prefix
        assert any(Path(name).match(pattern) for pattern in patterns.get(package, [])), relative
        assert package in _pyproject()["packages"]


@pytest.mark.slow
def test_a_wheel_built_from_the_repository_carries_the_shipped_files(tmp_path):
    setuptools = pytest.importorskip("setuptools", reason="builds without isolation need setuptools (not in 3.12+ venvs)")
    floor = next(Requirement(r) for r in tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["build-system"]
                 ["requires"] if Requirement(r).name == "setuptools")
    if setuptools.__version__ not in floor.specifier:  # e.g. the lower-bounds environment's venv setuptools
        pytest.skip(f"the installed setuptools {setuptools.__version__} is not the build's {floor}")
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPOSITORY / name, source / name)
    shutil.copytree(REPOSITORY / "medcourse", source / "medcourse", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(DATA, source / "data")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path / "wheel"), str(source)], check=True, capture_output=True)
    wheel = next((tmp_path / "wheel").glob("medcourse-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for relative, md5 in SHIPPED_MD5.items():
            member = f"medcourse/data/{shipped.INSTALLED_PACKAGE}/{relative}"
            assert member in names
            assert hashlib.md5(archive.read(member), usedforsecurity=False).hexdigest() == md5
        assert f"medcourse/data/{shipped.INSTALLED_PACKAGE}/README.md" in names
        assert "medcourse/data/shipped.py" in names and "medcourse/data/generators/lesions.py" in names


# --- the tool that builds the files ------------------------------------------------------------------

def test_npz_bytes_are_deterministic_and_load_without_pickle():
    arrays = {"images": np.arange(24, dtype=np.uint8).reshape(2, 3, 4), "name": np.array(["a", "bc"]),
              "text": np.array("CC BY-SA 4.0")}
    first, second = make_shipped_data.npz_bytes(arrays), make_shipped_data.npz_bytes(dict(arrays))
    assert first == second
    with np.load(io.BytesIO(first), allow_pickle=False) as archive:
        assert archive.files == ["images", "name", "text"]
        np.testing.assert_array_equal(archive["images"], arrays["images"])
        assert str(archive["text"]) == "CC BY-SA 4.0"


def test_the_tool_never_replaces_a_differing_file_unless_told(tmp_path):
    target = tmp_path / "bccd" / "file.npz"
    assert make_shipped_data.write(target, b"first", replace=False) == "written"
    assert make_shipped_data.write(target, b"first", replace=False) == "unchanged"
    with pytest.raises(SystemExit, match=r"exists with other content .* pass --replace"):
        make_shipped_data.write(target, b"second", replace=False)
    assert target.read_bytes() == b"first"
    assert make_shipped_data.write(target, b"second", replace=True) == "written"
    assert target.read_bytes() == b"second" and sorted(p.name for p in target.parent.iterdir()) == ["file.npz"]


def test_bccd_cleaning_rules_remove_clicks_and_repeats_and_fix_classes_by_size():
    objects = [("RBC", (10, 10, 110, 110)), ("RBC", (12, 12, 112, 112)), ("RBC", (50, 50, 50, 50)),
               ("Platelets", (200, 200, 350, 340)), ("WBC", (400, 400, 430, 425)), ("RBC", (60, 10, 160, 110))]
    kept, changes = derive_bccd.clean("BloodImage_X", objects)
    assert kept == [("RBC", (10, 10, 110, 110)), ("WBC", (200, 200, 350, 340)), ("Platelets", (400, 400, 430, 425)),
                    ("RBC", (60, 10, 160, 110))]
    assert [change[3].split(":")[0] for change in changes] == ["removed", "removed", "relabelled WBC",
                                                               "relabelled Platelets"]


def test_bccd_boxes_become_the_object_layout_at_a_quarter_of_the_size():
    rows = derive_bccd.to_objects([("WBC", (1, 1, 640, 480)), ("Platelets", (5, 9, 8, 12))])
    np.testing.assert_allclose(rows[0], [59.5, 79.5, 120, 160, 1])   # the whole image
    np.testing.assert_allclose(rows[1], [2.0, 1.0, 1.0, 1.0, 2])     # original rows 8-11, cols 4-7 (0-based)


def test_hippocampus_slices_are_oriented_superior_up_and_anterior_right():
    volume = np.arange(3 * 5 * 4).reshape(3, 5, 4)  # x (left-right), y (posterior→anterior), z (inferior→superior)
    framed, (top, left) = derive_hippocampus._framed(volume, 1, 3)
    assert framed.shape == (2, *derive_hippocampus.FRAME)
    view = framed[:, top:top + 4, left:left + 5]
    for r in range(4):
        for c in range(5):
            assert view[0, r, c] == volume[1, c, 3 - r]
    assert not framed[:, :top].any() and not framed[:, :, :left].any()
