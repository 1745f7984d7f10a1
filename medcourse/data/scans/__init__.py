"""Real medical images: read your own DICOM and NIfTI files, or open examples that ship with installed packages.

* a CT slice and an MR slice from pydicom's test files (DICOM, with pixel spacing and the
  ``RescaleSlope``/``RescaleIntercept`` conversion to Hounsfield units);
* a multi-frame ultrasound cine loop from pydicom's test files (30 frames);
* NIfTI volumes (a 3-D anatomical MR and a 4-D functional MR) from nibabel's test data, with affines;
* a retinal fundus photograph from scikit-image's bundled data.

Every loader returns a :class:`Scan`. :func:`read_dicom` and :func:`read_nifti` read your own files
the same way and refuse broken ones with an error that names the file and says what is wrong;
:func:`read_dicom_series` assembles the files of one DICOM series into a volume (sorted by position,
spacing from the positions, affine in RAS like NIfTI's), and :func:`write_dicom_series` writes a
generated one (:func:`chest_phantom`) to practise on.
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
from medcourse.data.scans.series import LPS_TO_RAS, dicom_affine, read_dicom_series
from medcourse.data.scans.synthetic import PHANTOM_HU, chest_phantom, write_dicom_series

__all__ = [
    "LPS_TO_RAS",
    "PHANTOM_HU",
    "MissingRescaleWarning",
    "Scan",
    "chest_phantom",
    "dicom_affine",
    "load_ct_slice",
    "load_mr_slice",
    "load_nifti_volume",
    "load_retina",
    "load_ultrasound_cine",
    "nibabel_data_dir",
    "read_dicom",
    "read_dicom_series",
    "read_nifti",
    "rescale",
    "write_dicom_series",
]
