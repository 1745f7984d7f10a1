"""Real example scans that ship inside installed packages (pydicom, nibabel, scikit-image): no download."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from medcourse.data.scans.dicom import read_dicom
from medcourse.data.scans.nifti import read_nifti
from medcourse.data.scans.scan import Scan


def _pydicom_test_file(name: str) -> Path:
    from pydicom.data import get_testdata_file

    found = get_testdata_file(name, download=False)
    if found is None:  # pragma: no cover - these files ship inside the pydicom wheel
        raise FileNotFoundError(f"pydicom's bundled test file {name!r} is missing; reinstall pydicom")
    return Path(found)


def nibabel_data_dir() -> Path:
    """The folder of nibabel's bundled example files, found without importing ``nibabel.testing``.

    ``nibabel.testing`` imports pytest, which a classroom image built from the course's runtime
    dependencies may lack; the files themselves sit in ``nibabel/tests/data`` inside the package.
    """
    spec = importlib.util.find_spec("nibabel")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("nibabel is not installed; install the course requirements "
                                  "(`pip install -r requirements.txt`)")
    folder = Path(spec.origin).parent / "tests" / "data"
    if not folder.is_dir():  # pragma: no cover - the wheel ships them
        raise FileNotFoundError(f"nibabel's example files are missing (looked in {folder}); reinstall nibabel")
    return folder


def load_ct_slice() -> Scan:
    """A 128×128 CT slice (GE scanner, 0.66 mm pixels, 5 mm slice) from pydicom's test files, in HU.

    Examples
    --------
    >>> ct = load_ct_slice()
    >>> ct.image.shape, ct.metadata["Modality"], ct.unit
    ((128, 128), 'CT', 'HU')
    """
    return read_dicom(_pydicom_test_file("CT_small.dcm"))


def load_mr_slice() -> Scan:
    """A 64×64 MR slice (Toshiba scanner, 0.31 mm pixels) from pydicom's test files, in scanner units."""
    return read_dicom(_pydicom_test_file("MR_small.dcm"))


def load_ultrasound_cine() -> Scan:
    """A 30-frame ultrasound cine loop (240×320, 33 ms per frame) from pydicom's test files.

    ``image`` has shape (T, H, W, 3), uint8 RGB, as pydicom decodes it (the file is JPEG-compressed
    YBR_FULL_422; the loop is grey-scale, so R, G and B are nearly equal). ``metadata["FrameTime"]``
    is in ms. The pixel spacing is left unknown: this small test file was resized after acquisition,
    so its ultrasound-region calibration no longer matches the pixels.
    """
    return read_dicom(_pydicom_test_file("examples_ybr_color.dcm"))


#: nibabel's example volumes by name.
NIFTI_EXAMPLES = {
    "anatomical": "anatomical.nii",   # 3-D T1-weighted brain MR, 33×41×25 voxels of 2 mm
    "functional": "functional.nii",   # 4-D functional MR, 17×21×3 voxels × 20 time points
}


def load_nifti_volume(name: str = "anatomical") -> Scan:
    """A NIfTI volume from nibabel's test data: ``"anatomical"`` (3-D brain MR) or ``"functional"`` (4-D).

    Examples
    --------
    >>> volume = load_nifti_volume()
    >>> volume.image.shape, volume.affine.shape
    ((33, 41, 25), (4, 4))
    """
    if name not in NIFTI_EXAMPLES:
        raise ValueError(f"name must be one of {sorted(NIFTI_EXAMPLES)}, got {name!r}")
    return read_nifti(nibabel_data_dir() / NIFTI_EXAMPLES[name])


def load_retina() -> Scan:
    """A colour retinal fundus photograph (1411×1411 RGB, uint8) bundled with scikit-image.

    The photograph shows the optic disc, the macula and the vessel tree; its pixel size is not recorded.
    """
    import skimage.data

    image = skimage.data.retina()
    return Scan(image=image, spacing=None, metadata={"Modality": "fundus photograph"},
                source="skimage.data.retina (Häggström, CC0)", unit="RGB", photometric="RGB", sample_bits=8)


__all__ = ["NIFTI_EXAMPLES", "load_ct_slice", "load_mr_slice", "load_nifti_volume", "load_retina",
           "load_ultrasound_cine", "nibabel_data_dir"]
