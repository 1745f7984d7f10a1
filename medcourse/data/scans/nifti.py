"""NIfTI volumes read with nibabel: voxels (with the header's scaling applied), voxel size and affine."""

from __future__ import annotations

import os
import zlib

import numpy as np

from medcourse.data.scans.scan import Scan, existing_file

_NIFTI_CLASSES = ("Nifti1Image", "Nifti2Image", "Nifti1Pair", "Nifti2Pair")


def _maybe(klass, path) -> bool:
    try:
        return bool(klass.path_maybe_image(path)[0])
    except (OSError, EOFError, ValueError, zlib.error):
        return False


def _what_else(path) -> str:
    """What nibabel takes the file for, judged from its name and first bytes (nothing else is parsed)."""
    from nibabel.imageclasses import all_image_classes

    for klass in all_image_classes:
        if klass.__name__ not in _NIFTI_CLASSES and _maybe(klass, path):
            return f"nibabel reads it as {klass.__name__.removesuffix('Image')}, another format"
    return "nibabel does not recognise its format"


def _load(path):
    """nibabel's NIfTI image for ``path``, refused clearly when it is not a complete NIfTI image."""
    import nibabel as nib
    from nibabel.spatialimages import HeaderDataError

    klass = next((getattr(nib, name) for name in _NIFTI_CLASSES if _maybe(getattr(nib, name), path)), None)
    if klass is None:
        raise ValueError(f"{path.name} could not be read as a NIfTI image: it is not NIfTI-1 or NIfTI-2 "
                         f"({_what_else(path)})")
    try:
        image = klass.from_filename(path)
    except (OSError, EOFError, ValueError, zlib.error, HeaderDataError, nib.filebasedimages.ImageFileError
            ) as error:
        raise ValueError(f"{path.name} could not be read as a NIfTI image ({type(error).__name__}: {error})"
                         ) from None
    if 3000 <= int(image.header["intent_code"]) < 3100:
        raise ValueError(f"{path.name} is a CIFTI-2 file (grayordinates in a NIfTI-2 container), not an image "
                         "volume; read it with nibabel.load, which returns a Cifti2Image")
    return image


def _voxels(image, path) -> np.ndarray:
    try:
        return np.asarray(image.get_fdata(dtype=np.float32))
    except FileNotFoundError as error:
        raise ValueError(f"{path.name} could not be read as a NIfTI image: its image file is missing "
                         f"({error.filename}); a .hdr header needs the .img file beside it") from None
    except (OSError, EOFError, ValueError, zlib.error, TypeError) as error:
        raise ValueError(f"{path.name} could not be read as a NIfTI image; it may be truncated "
                         f"({type(error).__name__}: {error})") from None


def _orientation(affine) -> str:
    import nibabel as nib

    try:
        return "".join(str(code) for code in nib.aff2axcodes(affine))
    except (ValueError, np.linalg.LinAlgError):
        return "unknown (the affine is degenerate)"


def read_nifti(path: str | os.PathLike) -> Scan:
    """Read a NIfTI (``.nii`` / ``.nii.gz``, or a ``.hdr``/``.img`` pair) with nibabel: voxels, voxel size, affine.

    The voxels are float32 values after the header's ``scl_slope``/``scl_inter`` scaling, as
    ``nibabel``'s ``get_fdata(dtype=np.float32)`` gives them.

    Raises
    ------
    FileNotFoundError, IsADirectoryError, PermissionError
        ``path`` does not exist, is a folder, or cannot be read.
    ValueError
        The file is not a readable NIfTI image (another format, truncated data, a missing ``.img``).
    """
    path = existing_file(path, "NIfTI")
    image = _load(path)
    voxels = _voxels(image, path)
    header = image.header
    zooms = tuple(float(z) for z in header.get_zooms())
    spatial = zooms[:3]
    metadata = {
        "shape": tuple(int(n) for n in image.shape),
        "voxel size (mm, then s for time)": zooms,
        "data type": str(header.get_data_dtype()),
        "orientation": _orientation(image.affine),
        "description": header["descrip"].item().decode("latin-1", "replace").strip(),
    }
    known = all(np.isfinite(spatial)) and min(spatial, default=0.0) > 0
    return Scan(image=voxels, spacing=spatial if known else None, metadata=metadata, source=str(path),
                affine=np.asarray(image.affine, dtype=float), unit="a.u.", photometric="MONOCHROME2")


__all__ = ["read_nifti"]
