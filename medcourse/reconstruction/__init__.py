"""Image reconstruction in NumPy (notebook 11): CT from projections, MRI from k-space, and simulated phantoms.

The framework-free reference that notebook 11 derives and checks against scikit-image and NumPy:

* :mod:`~medcourse.reconstruction.ct` — the Radon transform, the ramp filter, filtered back-projection
  (equal to ``skimage.transform.radon`` / ``iradon``), Hounsfield units ↔ attenuation, photon counts;
* :mod:`~medcourse.reconstruction.mri` — centred k-space, Cartesian undersampling masks, the zero-filled
  reconstruction and the data-consistency step;
* :mod:`~medcourse.reconstruction.phantoms` — random abdominal tissue maps rendered as CT and as T2-weighted MR,
  and a lesion to add;
* :func:`~medcourse.reconstruction.batches.training_batches` — the batches (and crops) of a training run, the
  same in both frameworks.

The learned reconstructions are in :mod:`medcourse.pytorch.reconstruction` and
:mod:`medcourse.tensorflow.reconstruction`; the image-quality metrics (PSNR, SSIM) in
:mod:`medcourse.metrics.reconstruction`. Imports neither TensorFlow nor PyTorch.
"""

from __future__ import annotations

from medcourse.reconstruction.batches import check_network_shape, training_batches
from medcourse.reconstruction.ct import (
    MU_WATER,
    WINDOWS,
    attenuation_to_hu,
    back_project,
    circle_mask,
    counts_to_line_integrals,
    filter_projections,
    filtered_back_projection,
    hu_to_attenuation,
    photon_counts,
    radon_transform,
    ramp_filter,
    ramp_kernel,
    view_angles,
)
from medcourse.reconstruction.mri import (
    acceleration,
    cartesian_mask,
    data_consistency,
    image_from_kspace,
    kspace,
    undersample,
    zero_filled,
)
from medcourse.reconstruction.phantoms import (
    CT_HU,
    CT_RANGE,
    MR_BLOCK,
    MR_T2,
    TISSUES,
    add_lesion,
    disc,
    from_unit_range,
    render_ct,
    render_mr,
    tissue_phantoms,
    to_unit_range,
)

__all__ = [
    "CT_HU",
    "CT_RANGE",
    "MR_BLOCK",
    "MR_T2",
    "MU_WATER",
    "TISSUES",
    "WINDOWS",
    "acceleration",
    "add_lesion",
    "attenuation_to_hu",
    "back_project",
    "cartesian_mask",
    "check_network_shape",
    "circle_mask",
    "counts_to_line_integrals",
    "data_consistency",
    "disc",
    "filter_projections",
    "filtered_back_projection",
    "from_unit_range",
    "hu_to_attenuation",
    "image_from_kspace",
    "kspace",
    "photon_counts",
    "radon_transform",
    "ramp_filter",
    "ramp_kernel",
    "render_ct",
    "render_mr",
    "tissue_phantoms",
    "to_unit_range",
    "training_batches",
    "undersample",
    "view_angles",
    "zero_filled",
]
