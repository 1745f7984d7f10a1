"""Real medical images: read your own DICOM and NIfTI files, or open examples that ship with installed packages.

* a CT slice and an MR slice from pydicom's test files (DICOM, with pixel spacing and the
  ``RescaleSlope``/``RescaleIntercept`` conversion to Hounsfield units);
* a multi-frame ultrasound cine loop from pydicom's test files (30 frames);
* NIfTI volumes (a 3-D anatomical MR and a 4-D functional MR) from nibabel's test data, with affines;
* a retinal fundus photograph from scikit-image's bundled data.

Every loader returns a :class:`Scan`. :func:`read_dicom` and :func:`read_nifti` read your own files
the same way and refuse broken ones with an error that names the file and says what is wrong.
A grey ``Scan`` holds physical values; show it with ``scan.cmap`` (``"gray_r"`` for MONOCHROME1
files, whose low values are bright) and a colour one with ``scan.display_image()``.
"""

from __future__ import annotations

from medcourse.data.scans.dicom import MissingRescaleWarning, read_dicom, rescale
from medcourse.data.scans.examples import (
    load_ct_slice,
    load_mr_slice,
    load_nifti_volume,
    load_retina,
    load_ultrasound_cine,
    nibabel_data_dir,
)
from medcourse.data.scans.nifti import read_nifti
from medcourse.data.scans.scan import Scan

__all__ = [
    "MissingRescaleWarning",
    "Scan",
    "load_ct_slice",
    "load_mr_slice",
    "load_nifti_volume",
    "load_retina",
    "load_ultrasound_cine",
    "nibabel_data_dir",
    "read_dicom",
    "read_nifti",
    "rescale",
]
