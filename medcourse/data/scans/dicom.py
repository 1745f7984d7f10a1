"""DICOM files read with pydicom: physical values through the modality LUT, colour converted once.

Notebook 00 §5 and notebook 01 §1 derive ``HU = RescaleSlope · stored value + RescaleIntercept``
(:func:`rescale`). :func:`read_dicom` gets the values from pydicom's own ``apply_modality_lut``, which
also handles a Modality LUT Sequence, and checks the lesson's formula against it on every file that
carries a rescale. Enhanced (multi-frame) files keep their rescale in functional groups, which
pydicom 3.0's ``apply_modality_lut`` does not read: they are applied frame by frame with the same function.
"""

from __future__ import annotations

import math
import os
import struct
import warnings
from typing import Any

import numpy as np

from medcourse.data.scans.scan import GREY, Scan, exact_float, existing_file

#: DICOM header fields worth showing a student, copied into ``Scan.metadata`` when present.
FIELDS = (
    "Modality", "Manufacturer", "BodyPartExamined", "StudyDescription", "SeriesDescription",
    "Rows", "Columns", "PixelSpacing", "SliceThickness", "BitsAllocated", "BitsStored",
    "PixelRepresentation", "PhotometricInterpretation", "RescaleSlope", "RescaleIntercept",
    "RescaleType", "WindowCenter", "WindowWidth", "NumberOfFrames", "FrameTime",
)

_UNREADABLE = (AttributeError, KeyError, TypeError, ValueError, IndexError, OverflowError, struct.error,
               UnicodeDecodeError)


class MissingRescaleWarning(UserWarning):
    """A CT file without rescale information: its values are stored integers, not Hounsfield units."""


def rescale(stored: np.ndarray, slope: float, intercept: float) -> np.ndarray:
    """``slope · stored + intercept`` in float64: stored DICOM integers to physical values (Notebook 00 §5).

    Examples
    --------
    >>> rescale(np.array([0, 1024, 2024]), 1.0, -1024.0)
    array([-1024.,     0.,  1000.])
    """
    return np.asarray(stored).astype(np.float64) * float(slope) + float(intercept)


def _tag(keyword: str) -> str:
    """``Keyword (gggg,eeee)``, the way a DICOM viewer names an element."""
    from pydicom.datadict import tag_for_keyword

    tag = tag_for_keyword(keyword)
    return keyword if tag is None else f"{keyword} ({tag >> 16:04X},{tag & 0xFFFF:04X})"


def _element_value(dataset, keyword: str, name: str) -> Any:
    try:
        return dataset[keyword].value
    except _UNREADABLE as error:
        raise ValueError(f"{name}: {_tag(keyword)} cannot be read ({error}); the header is damaged") from None


def header_numbers(dataset, keyword: str, name: str, count: int) -> tuple[float, ...] | None:
    """The ``count`` finite numbers in element ``keyword``; None when absent; ValueError when malformed."""
    if keyword not in dataset:
        return None
    value = _element_value(dataset, keyword, name)
    if value is None or (isinstance(value, (str, bytes)) and not value.strip()):
        raise ValueError(f"{name}: {_tag(keyword)} is empty; expected {count} number(s)")
    values = list(value) if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue" else [value]
    if len(values) != count:
        shown = "\\".join(str(v) for v in values)
        raise ValueError(f"{name}: {_tag(keyword)} has {len(values)} value{'s' * (len(values) != 1)} "
                         f"({shown!r}); expected {count} number(s)")
    numbers = []
    for item in values:
        try:
            number = float(item)
        except (TypeError, ValueError):
            raise ValueError(f"{name}: {_tag(keyword)} holds {str(item)!r}, which is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{name}: {_tag(keyword)} holds {str(item)!r}, which is not a finite number")
        numbers.append(number)
    return tuple(numbers)


def header_integer(dataset, keyword: str, name: str, allowed=None) -> int | None:
    """The whole number in element ``keyword`` (None when absent); ValueError naming the tag otherwise."""
    if keyword not in dataset:
        return None
    value = _element_value(dataset, keyword, name)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {_tag(keyword)} holds {str(value)!r}, which is not a whole number") from None
    if allowed is not None and number not in allowed:
        raise ValueError(f"{name}: {_tag(keyword)} is {number}; expected one of {sorted(allowed)}")
    return number


def _read_dataset(path):
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        return pydicom.dcmread(path)
    except InvalidDicomError:
        with open(path, "rb") as stream:
            start = stream.read(2)
        hint = " It is compressed: unpack it first (gunzip or unzip)." if start in (b"\x1f\x8b", b"PK") else ""
        raise ValueError(f"{path.name} is not a DICOM file: it lacks the 128-byte preamble and 'DICM' prefix "
                         f"of the DICOM file format.{hint} (A DICOM dataset saved without its file header may "
                         "still open with pydicom.dcmread(path, force=True).)") from None
    except PermissionError:
        raise
    except (EOFError, OSError, *_UNREADABLE) as error:
        raise ValueError(f"{path.name} could not be read as DICOM; it may be truncated or damaged "
                         f"({type(error).__name__}: {error})") from None


def _sop_class(dataset) -> str:
    uid = dataset.get("SOPClassUID") or getattr(dataset, "file_meta", {}).get("MediaStorageSOPClassUID")
    return f"'{uid.name}'" if uid is not None and hasattr(uid, "name") else "unknown"


def _check_image_elements(dataset, name: str) -> None:
    """Refuse, naming the tag, an image whose pixel description is missing or malformed."""
    required = ["Rows", "Columns", "BitsAllocated", "SamplesPerPixel", "PhotometricInterpretation"]
    if "PixelData" in dataset:
        required += ["BitsStored", "PixelRepresentation"]
    for keyword in required:
        if keyword not in dataset or _element_value(dataset, keyword, name) in (None, ""):
            raise ValueError(f"{name}: the image lacks {_tag(keyword)}, which pydicom needs to decode its pixels")
    for keyword in ("Rows", "Columns"):
        if header_integer(dataset, keyword, name) < 1:
            raise ValueError(f"{name}: {_tag(keyword)} must be at least 1")
    header_integer(dataset, "BitsAllocated", name, allowed={1, 8, 16, 32, 64})
    header_integer(dataset, "SamplesPerPixel", name, allowed={1, 3})
    header_integer(dataset, "PixelRepresentation", name, allowed={0, 1})
    frames = header_integer(dataset, "NumberOfFrames", name)
    if frames is not None and frames < 1:
        raise ValueError(f"{name}: {_tag('NumberOfFrames')} must be at least 1, got {frames}")


def _install_hint(decoder) -> str:
    missing = "; ".join(decoder.missing_dependencies) or "a decoding plugin"
    return ("Install a decoder, e.g. `pip install pylibjpeg pylibjpeg-libjpeg pylibjpeg-openjpeg`, then try "
            f"again (pydicom lists: {missing}).")


def _decode(dataset, name: str) -> tuple[np.ndarray, str]:
    """The pixels as pydicom decodes them (YBR converted to RGB once) and their photometric interpretation."""
    from pydicom.pixels import get_decoder

    syntax = getattr(dataset, "file_meta", {}).get("TransferSyntaxUID")
    if not syntax:
        raise ValueError(f"{name}: its file meta information lacks TransferSyntaxUID (0002,0010), so "
                         "nobody can tell how the pixels are encoded")
    _check_image_elements(dataset, name)
    syntax_name = getattr(syntax, "name", str(syntax))
    try:
        decoder = get_decoder(syntax)
    except NotImplementedError:
        raise ValueError(f"{name}: its transfer syntax '{syntax_name}' is one pydicom cannot decode") from None
    if not decoder.is_available:
        raise ValueError(f"{name} is compressed with '{syntax_name}', and no installed plugin can decode it. "
                         f"{_install_hint(decoder)}")
    try:
        pixels, properties = decoder.as_array(dataset)
    except (RuntimeError, NotImplementedError) as error:
        said = " ".join(str(error).split())[:300]
        raise ValueError(f"{name} is compressed with '{syntax_name}', and no installed plugin can decode it "
                         f"(pydicom said: {said}). The data may be damaged, or another plugin may read it. "
                         f"{_install_hint(decoder)}") from None
    except _UNREADABLE as error:
        problem = " ".join(str(error).split())
        truncated = "it is probably truncated: " if "less than expected" in problem else ""
        raise ValueError(f"{name}: its pixel data cannot be decoded; {truncated}{problem}") from None
    return pixels, str(properties.get("photometric_interpretation", dataset.PhotometricInterpretation))


def _functional_item(dataset, sequence: str, frame: int):
    """The first item of functional group ``sequence`` for ``frame`` (per-frame, else shared), or None."""
    for groups, index in (("PerFrameFunctionalGroupsSequence", frame), ("SharedFunctionalGroupsSequence", 0)):
        items = dataset.get(groups) or []
        if index < len(items) and items[index].get(sequence):
            return items[index][sequence][0]
    return None


def _rescale_of(dataset, name: str) -> tuple[float, float] | None:
    slope = header_numbers(dataset, "RescaleSlope", name, 1)
    intercept = header_numbers(dataset, "RescaleIntercept", name, 1)
    if (slope is None) != (intercept is None):
        present, absent = ("RescaleSlope", "RescaleIntercept") if intercept is None else ("RescaleIntercept",
                                                                                           "RescaleSlope")
        raise ValueError(f"{name}: it has {_tag(present)} but no {_tag(absent)}; DICOM requires both")
    if slope is None:
        return None
    if slope[0] == 0:
        raise ValueError(f"{name}: {_tag('RescaleSlope')} is 0, which would map every pixel to the intercept")
    return slope[0], intercept[0]


def _unit(kind: str | None, modality: str) -> str:
    kind = (kind or "").strip()
    if kind and kind != "US":  # "US" is DICOM's "unspecified"
        return kind
    return "HU" if modality == "CT" and not kind else "a.u."


def _checked_lesson(stored, values, rescale_values: tuple[float, float], name: str) -> None:
    """The course's formula must give exactly what pydicom gives (the check of Notebook 00 §5, on every file)."""
    if not np.array_equal(rescale(stored, *rescale_values), values):
        raise RuntimeError(f"{name}: HU = slope · stored + intercept disagrees with pydicom's "
                           "apply_modality_lut; please report this file to the course")


def _enhanced_values(stored, dataset, name: str, modality: str) -> tuple[np.ndarray, str, str] | None:
    """Frame-by-frame rescale from the functional groups of an enhanced file, or None when it has none."""
    from pydicom.pixels import apply_modality_lut

    frames = header_integer(dataset, "NumberOfFrames", name) or 1
    items = [_functional_item(dataset, "PixelValueTransformationSequence", frame) for frame in range(frames)]
    if all(item is None for item in items):
        return None
    stack = stored if frames > 1 else stored[None]
    values, kinds = [], set()
    for frame, item in enumerate(items):
        rescale_values = None if item is None else _rescale_of(item, name)
        if rescale_values is None:
            values.append(stack[frame].astype(np.float64))
            continue
        values.append(apply_modality_lut(stack[frame], item))
        _checked_lesson(stack[frame], values[-1], rescale_values, name)
        kinds.add(item.get("RescaleType"))
    result = np.stack(values) if frames > 1 else values[0]
    return result, _unit(kinds.pop() if len(kinds) == 1 else None, modality), \
        "RescaleSlope/RescaleIntercept of the functional groups, frame by frame"


def physical_values(stored: np.ndarray, dataset, name: str) -> tuple[np.ndarray, str, str]:
    """Physical values of a grey image, their unit, and a sentence saying how they were obtained."""
    from pydicom.pixels import apply_modality_lut

    modality = str(dataset.get("Modality", "") or "")
    enhanced = _enhanced_values(stored, dataset, name, modality)
    if enhanced is not None:
        values, unit, how = enhanced
    elif dataset.get("ModalityLUTSequence"):
        item = dataset.ModalityLUTSequence[0]
        descriptor = item.get("LUTDescriptor")
        if descriptor is None or len(descriptor) != 3 or "LUTData" not in item:
            raise ValueError(f"{name}: its {_tag('ModalityLUTSequence')} lacks a three-value LUTDescriptor "
                             "or the LUTData")
        try:
            values = apply_modality_lut(stored, dataset)
        except _UNREADABLE as error:
            raise ValueError(f"{name}: its {_tag('ModalityLUTSequence')} cannot be applied ({error})") from None
        unit = _unit(item.get("ModalityLUTType"), "")
        how = f"Modality LUT Sequence ({descriptor[0] or 65536} entries from stored value {descriptor[1]})"
    elif (rescale_values := _rescale_of(dataset, name)) is not None:
        values = apply_modality_lut(stored, dataset)
        _checked_lesson(stored, values, rescale_values, name)
        unit = _unit(dataset.get("RescaleType"), modality)
        how = f"value = {rescale_values[0]:g} · stored + {rescale_values[1]:g} (RescaleSlope, RescaleIntercept)"
    else:
        values, unit, how = stored, "stored value", "none: the file has no rescale, the values are as stored"
        if modality == "CT":
            warnings.warn(f"{name}: this CT has no RescaleSlope/RescaleIntercept (nor a Modality LUT), so its "
                          "values are the stored integers, not Hounsfield units", MissingRescaleWarning,
                          stacklevel=3)
    return exact_float(values), unit, how


def _pixel_spacing(dataset, name: str) -> tuple[float, float] | None:
    measures = _functional_item(dataset, "PixelMeasuresSequence", 0)
    source = measures if measures is not None and "PixelSpacing" in measures else dataset
    spacing = header_numbers(source, "PixelSpacing", name, 2)
    if spacing is not None and min(spacing) <= 0:
        raise ValueError(f"{name}: {_tag('PixelSpacing')} is {spacing}; both spacings must be positive (mm)")
    return spacing


def _plain(value: Any) -> Any:
    """Turn pydicom's value types (MultiValue, DSfloat, IS, PersonName) into plain Python values."""
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        return [_plain(v) for v in value]
    for kind in (int, float):
        if isinstance(value, kind):
            return kind(value)
    return str(value)


def _metadata(dataset, syntax) -> dict[str, Any]:
    metadata = {}
    for keyword in FIELDS:
        try:
            value = dataset.get(keyword)
        except _UNREADABLE as error:
            value = f"unreadable ({error})"
        if value is not None and value != "":
            metadata[keyword] = _plain(value)
    metadata["TransferSyntax"] = getattr(syntax, "name", str(syntax))
    return metadata


def _colour(pixels: np.ndarray, photometric: str, dataset, name: str) -> tuple[np.ndarray, str, int]:
    """RGB(A) samples, their photometric interpretation and significant bits, from decoded colour pixels."""
    from pydicom.pixels import apply_color_lut

    if photometric == "PALETTE COLOR":
        try:
            rgb = apply_color_lut(pixels, dataset)
            bits = int(dataset.RedPaletteColorLookupTableDescriptor[2])
        except _UNREADABLE as error:
            raise ValueError(f"{name}: its colour palette (Red/Green/Blue Palette Color Lookup Table) is "
                             f"missing or damaged ({error})") from None
        return rgb, "RGBA" if rgb.shape[-1] == 4 else "RGB", bits
    if photometric == "RGB":
        return pixels, "RGB", header_integer(dataset, "BitsStored", name) or 8 * pixels.dtype.itemsize
    raise ValueError(f"{name}: its pixels are stored as '{photometric}', which pydicom does not convert to RGB "
                     "and the course cannot show; convert the file to RGB or MONOCHROME2 first")


def read_dicom(path: str | os.PathLike) -> Scan:
    """Read one DICOM file: physical values (or RGB colour), pixel spacing and the header fields students need.

    Grey images go through the modality LUT (``HU = RescaleSlope · stored value + RescaleIntercept`` for
    CT, checked against pydicom's ``apply_modality_lut``); MONOCHROME1 values stay as they are and
    ``Scan.cmap`` says to show them inverted. Colour arrives as RGB from pydicom, converted once;
    a palette-colour image is mapped through its palette.

    Raises
    ------
    FileNotFoundError, IsADirectoryError, PermissionError
        ``path`` does not exist, is a folder, or cannot be read.
    ValueError
        The file is not DICOM, is truncated, holds no pixel data, has an empty, multi-valued or
        non-numeric header value it needs (the message names the file and the tag), or is compressed
        with a codec that no installed plugin can decode (the message names the plugin to install).
    """
    path = existing_file(path, "DICOM")
    name = path.name
    dataset = _read_dataset(path)
    if not any(key in dataset for key in ("PixelData", "FloatPixelData", "DoubleFloatPixelData")):
        raise ValueError(f"{name} is DICOM but holds no image (no PixelData element); its SOP class is "
                         f"{_sop_class(dataset)}")
    pixels, photometric = _decode(dataset, name)
    metadata = _metadata(dataset, getattr(dataset, "file_meta", {}).get("TransferSyntaxUID"))
    spacing = _pixel_spacing(dataset, name)
    if photometric in GREY:
        image, unit, how = physical_values(pixels, dataset, name)
        metadata["ModalityLUT"] = how
        return Scan(image=image, spacing=spacing, metadata=metadata, source=str(path), unit=unit,
                    photometric=photometric)
    image, photometric, bits = _colour(pixels, photometric, dataset, name)
    return Scan(image=image, spacing=spacing, metadata=metadata, source=str(path), unit="RGB",
                photometric=photometric, sample_bits=bits)


__all__ = ["MissingRescaleWarning", "read_dicom", "rescale"]
