"""The :class:`Scan` every reader returns: the pixels, their physical meaning and how to show them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: Photometric interpretations of a grey-scale ``Scan.image`` (DICOM's terms; NIfTI volumes are MONOCHROME2).
GREY = ("MONOCHROME1", "MONOCHROME2")


@dataclass(frozen=True, repr=False)
class Scan:
    """An image (or volume, or sequence) with the physical facts needed to show it honestly.

    Attributes
    ----------
    image : numpy.ndarray
        Grey images hold **physical values** (Hounsfield units for CT, scanner units for MR), float32
        (float64 where float32 would round the values pydicom computes); colour images hold RGB samples
        as stored (uint8 for photographs and ultrasound, uint16 for a 16-bit palette). Shapes: (H, W),
        (H, W, 3), (T, H, W) or (T, H, W, 3) for DICOM, a NIfTI volume's own shape.
    spacing : tuple of float or None
        Size of one pixel (voxel) along each spatial axis of ``image`` in mm; None when unknown.
    metadata : dict
        Header fields (DICOM tags by keyword, NIfTI header entries) and how the values were obtained
        (``metadata["ModalityLUT"]`` for DICOM).
    source : str
        Where it came from: the file path and the package that ships it.
    affine : numpy.ndarray or None
        4×4 voxel-index-to-world matrix (RAS+, mm) of a NIfTI volume, or of a DICOM series assembled by
        ``read_dicom_series`` (DICOM's own LPS coordinates flipped to RAS); None for a single file.
    unit : str
        What one grey value means: ``"HU"``, ``"a.u."``, ``"stored value"`` (no rescale in the file),
        or ``"RGB"`` for colour.
    photometric : str
        How ``image`` is to be seen: ``"MONOCHROME2"`` (low values dark), ``"MONOCHROME1"`` (low values
        **bright**, as many radiographs are stored: the values are not inverted, the display is),
        ``"RGB"`` or ``"RGBA"``.
    sample_bits : int or None
        Significant bits of each colour sample (8 for ordinary RGB, 16 for a 16-bit palette); None for grey.
    """

    image: np.ndarray
    spacing: tuple[float, ...] | None
    metadata: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    affine: np.ndarray | None = None
    unit: str = ""
    photometric: str = "MONOCHROME2"
    sample_bits: int | None = None

    @property
    def is_colour(self) -> bool:
        """Whether ``image`` holds colour samples (RGB or RGBA) rather than grey values."""
        return self.photometric not in GREY

    @property
    def cmap(self) -> str | None:
        """The Matplotlib colour map that shows a grey image the way its file asks; None for colour.

        ``"gray_r"`` for MONOCHROME1 (low values bright), ``"gray"`` otherwise: window the physical
        values as usual and draw them with this map; never invert the values themselves.
        """
        if self.is_colour:
            return None
        return "gray_r" if self.photometric == "MONOCHROME1" else "gray"

    def display_image(self) -> np.ndarray:
        """What a screen shows: colour as uint8 RGB(A) from its ``sample_bits``; grey values unchanged.

        Grey values stay physical so that a window in HU still applies: draw them with :attr:`cmap`.
        """
        if not self.is_colour:
            return self.image
        bits = self.sample_bits or 8 * self.image.dtype.itemsize
        samples = self.image.astype(np.uint64) if bits > 8 else self.image.astype(np.uint16)
        shifted = samples >> (bits - 8) if bits > 8 else samples << (8 - bits)
        return np.clip(shifted, 0, 255).astype(np.uint8)

    def __repr__(self) -> str:
        modality = self.metadata.get("Modality", "")
        spacing = "unknown" if self.spacing is None else "×".join(f"{s:.3g}" for s in self.spacing) + " mm"
        unit = f", unit={self.unit!r}" if self.unit else ""
        return (f"Scan({modality + ', ' if modality else ''}shape={self.image.shape}, dtype={self.image.dtype}"
                f"{unit}, spacing={spacing}, source={Path(self.source).name!r})")


def existing_file(path: str | os.PathLike, kind: str) -> Path:
    """``path`` as a Path when it is a readable file; otherwise an error that says what it is instead."""
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path (str or pathlib.Path), got {type(path).__name__}: {path!r}")
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder, not a {kind} file; pass one of the files inside it")
    if not path.is_file():
        raise FileNotFoundError(f"path must be an existing {kind} file, got {str(path)!r} (no such file)")
    if not os.access(path, os.R_OK):
        raise PermissionError(f"{path} cannot be read (permission denied); ask its owner to run "
                              f"`chmod a+r {path}`, or copy it somewhere you can read")
    return path


def exact_float(values: np.ndarray) -> np.ndarray:
    """``values`` as float32 when that keeps every value exactly, else as float64."""
    single = np.asarray(values).astype(np.float32)
    if np.array_equal(single, values, equal_nan=True):
        return single
    return np.asarray(values, dtype=np.float64)
