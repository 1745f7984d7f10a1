"""Course data: generated teaching sets, real medical images shipped with the course, MedMNIST, and scans.

>>> from medcourse.data import load_dataset
>>> data = load_dataset("lesions")          # generated, offline, deterministic
>>> images, labels = data.train              # uint8 N×H×W, int64 N

* generated, offline and deterministic: ``"lesions"`` (classification; ``masks=True`` for segmentation,
  ``detection=True`` for fields of several lesions) and ``"cine"`` (cardiac cine sequences with the ejection
  fraction; ``masks=True`` for the heart's structures);
* real, shipped in the repository's ``data/`` folder (provenance and licences in ``data/README.md``):
  ``"hippocampus"`` (MRI slices with anterior/posterior hippocampus masks, split by patient), ``"bccd"``
  (blood smears with RBC/WBC/platelet boxes) and the MedMNIST files ``breastmnist``, ``retinamnist``,
  ``adrenalmnist3d``, ``vesselmnist3d`` (``size=64`` for the 3-D sets);
* any other MedMNIST flag, downloaded once with a checksum; your own arrays with :meth:`Dataset.from_arrays`;
* single scans (DICOM, NIfTI, photographs) in :mod:`medcourse.data.scans`.

Importing this package imports neither TensorFlow nor PyTorch; the framework adapters are
:func:`medcourse.pytorch.batches` and :func:`medcourse.tensorflow.batches`.
"""

from __future__ import annotations

from medcourse.data.catalog import EMBEDDED_NAMES, SHIPPED_NAMES, load_dataset
from medcourse.data.dataset import Dataset
from medcourse.data.objects import ObjectLabels

__all__ = ["EMBEDDED_NAMES", "SHIPPED_NAMES", "Dataset", "ObjectLabels", "load_dataset"]
