"""Real medical images that ship inside installed packages, readable with no network.

* a CT slice and an MR slice from pydicom's test files (DICOM, with pixel spacing and the
  ``RescaleSlope``/``RescaleIntercept`` conversion to Hounsfield units);
* a multi-frame ultrasound cine loop from pydicom's test files (30 colour frames);
* NIfTI volumes (a 3-D anatomical MR and a 4-D functional MR) from nibabel's test data, with affines;
* a retinal fundus photograph from scikit-image's bundled data.

Every loader returns a :class:`Scan`. :func:`read_dicom` and :func:`read_nifti` read your own files
the same way and refuse broken ones with an error that says what is wrong.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "Scan",
    "load_ct_slice",
    "load_mr_slice",
    "load_nifti_volume",
    "load_retina",
    "load_ultrasound_cine",
    "read_dicom",
    "read_nifti",
]

#: DICOM header fields worth showing a student, copied into ``Scan.metadata`` when present.
_DICOM_FIELDS = (
    "Modality", "Manufacturer", "BodyPartExamined", "StudyDescription", "SeriesDescription",
    "Rows", "Columns", "PixelSpacing", "SliceThickness", "BitsAllocated", "BitsStored",
    "PixelRepresentation", "PhotometricInterpretation", "RescaleSlope", "RescaleIntercept",
    "RescaleType", "WindowCenter", "WindowWidth", "NumberOfFrames", "FrameTime",
)


@dataclass(frozen=True, repr=False)
class Scan:
    """An image (or volume, or sequence) with the physical facts needed to show it honestly.

    Attributes
    ----------
    image : numpy.ndarray
        Pixel values: float32 Hounsfield units for CT, float32 scanner units for MR, uint8 for
        photographs and ultrasound. Shapes: (H, W), (H, W, 3), (T, H, W, 3) or a NIfTI volume's own.
    spacing : tuple of float or None
        Size of one pixel (voxel) along each spatial axis of ``image`` in mm; None when unknown.
    metadata : dict
        Header fields (DICOM tags by keyword, NIfTI header entries).
    source : str
        Where it came from: the file path and the package that ships it.
    affine : numpy.ndarray or None
        NIfTI's 4×4 voxel-to-world (RAS+, mm) matrix; None for other formats.
    """

    image: np.ndarray
    spacing: tuple[float, ...] | None
    metadata: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    affine: np.ndarray | None = None

    def __repr__(self) -> str:
        modality = self.metadata.get("Modality", "")
        spacing = "unknown" if self.spacing is None else "×".join(f"{s:.3g}" for s in self.spacing) + " mm"
        return (f"Scan({modality + ', ' if modality else ''}shape={self.image.shape}, dtype={self.image.dtype}, "
                f"spacing={spacing}, source={Path(self.source).name!r})")


def _plain(value: Any) -> Any:
    """Turn pydicom's value types (MultiValue, DSfloat, IS, PersonName) into plain Python values."""
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        return [_plain(v) for v in value]
    for kind in (int, float):
        if isinstance(value, kind):
            return kind(value)
    return str(value)


def read_dicom(path: str | os.PathLike) -> Scan:
    """Read one DICOM file: pixels in physical units, pixel spacing and the header fields students need.

    CT pixels are converted to Hounsfield units with ``HU = RescaleSlope · stored value + RescaleIntercept``.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    ValueError
        The file is not DICOM, is truncated, holds no pixel data, or is compressed with a codec
        that no installed plugin can decode (the message names the plugin to install).
    """
    import pydicom
    from pydicom.errors import InvalidDicomError

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path must be an existing DICOM file, got {str(path)!r} (no such file)")
    try:
        dataset = pydicom.dcmread(path)
    except InvalidDicomError as error:
        raise ValueError(f"{path.name} is not a DICOM file (no 'DICM' preamble and header): {error}") from None
    except (EOFError, OSError) as error:
        raise ValueError(f"{path.name} could not be read as DICOM; it may be truncated: {error}") from None
    if "PixelData" not in dataset:
        raise ValueError(f"{path.name} is DICOM but holds no image (no PixelData element); "
                         f"its SOP class is {dataset.get('SOPClassUID', 'unknown')}")
    syntax = dataset.file_meta.get("TransferSyntaxUID")
    try:
        stored = dataset.pixel_array
    except (NotImplementedError, RuntimeError) as error:
        name = getattr(syntax, "name", str(syntax))
        raise ValueError(
            f"{path.name} is compressed with '{name}', and no installed plugin can decode it. "
            "Install a decoder, e.g. `pip install pylibjpeg pylibjpeg-libjpeg pylibjpeg-openjpeg`, "
            f"then try again. (pydicom said: {str(error).splitlines()[0]})"
        ) from None
    except ValueError as error:
        raise ValueError(f"{path.name} has damaged pixel data; the file is probably truncated: {error}") from None

    metadata = {key: _plain(dataset.get(key)) for key in _DICOM_FIELDS if dataset.get(key) is not None}
    metadata["TransferSyntax"] = getattr(syntax, "name", str(syntax))
    photometric = str(dataset.get("PhotometricInterpretation", ""))
    if photometric.startswith("MONOCHROME"):
        slope = float(dataset.get("RescaleSlope", 1.0))
        intercept = float(dataset.get("RescaleIntercept", 0.0))
        image = (stored.astype(np.float32) * np.float32(slope) + np.float32(intercept))
        if photometric == "MONOCHROME1":  # MONOCHROME1 stores low values as white: flip to the usual sense
            image = image.max() + image.min() - image
    else:
        from pydicom.pixels import convert_color_space

        image = stored
        if photometric.startswith("YBR"):
            image = convert_color_space(stored, photometric, "RGB")
    spacing = tuple(float(s) for s in dataset.PixelSpacing) if "PixelSpacing" in dataset else None
    return Scan(image=image, spacing=spacing, metadata=metadata, source=str(path))


def _pydicom_test_file(name: str) -> Path:
    from pydicom.data import get_testdata_file

    found = get_testdata_file(name, download=False)
    if found is None:  # pragma: no cover - these files ship inside the pydicom wheel
        raise FileNotFoundError(f"pydicom's bundled test file {name!r} is missing; reinstall pydicom")
    return Path(found)


def load_ct_slice() -> Scan:
    """A 128×128 CT slice (GE scanner, 0.66 mm pixels, 5 mm slice) from pydicom's test files, in HU.

    Examples
    --------
    >>> ct = load_ct_slice()
    >>> ct.image.shape, ct.metadata["Modality"]
    ((128, 128), 'CT')
    """
    return read_dicom(_pydicom_test_file("CT_small.dcm"))


def load_mr_slice() -> Scan:
    """A 64×64 MR slice (Toshiba scanner, 0.31 mm pixels) from pydicom's test files, in scanner units."""
    return read_dicom(_pydicom_test_file("MR_small.dcm"))


def load_ultrasound_cine() -> Scan:
    """A 30-frame colour ultrasound cine loop (240×320, 33 ms per frame) from pydicom's test files.

    ``image`` has shape (T, H, W, 3), uint8 RGB; ``metadata["FrameTime"]`` is in ms. The pixel
    spacing is left unknown: this small test file was resized after acquisition, so its
    ultrasound-region calibration no longer matches the pixels.
    """
    return read_dicom(_pydicom_test_file("examples_ybr_color.dcm"))


def read_nifti(path: str | os.PathLike) -> Scan:
    """Read a NIfTI (``.nii`` / ``.nii.gz``) image with nibabel: voxels, voxel size (mm) and affine.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    ValueError
        The file is not a readable NIfTI image (wrong format, truncated data).
    """
    import nibabel as nib

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path must be an existing NIfTI file, got {str(path)!r} (no such file)")
    try:
        image = nib.load(path)
        if not isinstance(image, (nib.Nifti1Image, nib.Nifti2Image)):
            raise ValueError(f"it is a {type(image).__name__}, not NIfTI")
        voxels = np.asarray(image.get_fdata(dtype=np.float32))
    except (nib.filebasedimages.ImageFileError, OSError, EOFError, ValueError) as error:
        raise ValueError(f"{path.name} could not be read as a NIfTI image: {error}") from None
    header = image.header
    zooms = tuple(float(z) for z in header.get_zooms())
    metadata = {
        "shape": tuple(int(n) for n in image.shape),
        "voxel size (mm, then s for time)": zooms,
        "data type": str(header.get_data_dtype()),
        "orientation": "".join(nib.aff2axcodes(image.affine)),
        "description": header["descrip"].item().decode("latin-1", "replace").strip(),
    }
    return Scan(image=voxels, spacing=zooms[:3], metadata=metadata, source=str(path),
                affine=np.asarray(image.affine, dtype=float))


_NIFTI_EXAMPLES = {
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
    if name not in _NIFTI_EXAMPLES:
        raise ValueError(f"name must be one of {sorted(_NIFTI_EXAMPLES)}, got {name!r}")
    from nibabel.testing import data_path

    return read_nifti(Path(data_path) / _NIFTI_EXAMPLES[name])


def load_retina() -> Scan:
    """A colour retinal fundus photograph (1411×1411 RGB, uint8) bundled with scikit-image.

    The photograph shows the optic disc, the macula and the vessel tree; its pixel size is not recorded.
    """
    import skimage.data

    image = skimage.data.retina()
    return Scan(image=image, spacing=None, metadata={"Modality": "fundus photograph"},
                source="skimage.data.retina (Häggström, CC0)")
