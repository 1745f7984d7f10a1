"""From masks to what a clinician reads (notebook 05 §6–7): per-patient Dice, HD95 and volume; EF from areas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from medcourse.metrics.segmentation import bland_altman, dice, hausdorff_distance, volume

__all__ = ["PatientScores", "ejection_fraction_from_areas", "patient_scores", "patient_stacks", "threshold_classes"]


def patient_stacks(dataset, split: str, values: np.ndarray) -> list[np.ndarray]:
    """Any per-pixel array of a split (e.g. probabilities ``(N, H, W, K)``) stacked per patient like the volumes.

    The slices of each patient come in the order, and with the crop, of
    :func:`medcourse.data.hippocampus.volumes` — which does the stacking: it is handed every pixel's index
    and returns it in place, so the two can never disagree.

    Returns
    -------
    list of numpy.ndarray
        One ``(S, rows, cols, …)`` array per patient, in the order of ``dataset.info["patients"][split]``.
    """
    from medcourse.data import hippocampus

    values = np.asarray(values)
    masks = getattr(dataset, split)[1]
    if values.shape[:3] != masks.shape:
        raise ValueError(f"values must start with the {split} masks' shape {masks.shape}, got {values.shape}")
    index = np.arange(masks.size, dtype=np.int64).reshape(masks.shape)
    flat = values.reshape(masks.size, *values.shape[3:])
    return [flat[patient.predicted] for patient in hippocampus.volumes(dataset, split, predicted=index)]


def threshold_classes(probabilities, threshold: float = 0.5) -> np.ndarray:
    """Class indices from per-pixel probabilities ``(…, K)``, with a threshold on "not background".

    A pixel is foreground when ``1 − p_0 ≥ threshold``, and then takes its most probable foreground class;
    otherwise it is background. ``threshold = 0.5`` is close to the arg-max; a lower threshold draws larger
    structures (more sensitive), a higher one smaller (more specific) — the overlay widget's slider.

    Examples
    --------
    >>> threshold_classes(np.array([[0.6, 0.3, 0.1], [0.2, 0.3, 0.5]]), 0.35).tolist()
    [1, 2]
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim < 2 or p.shape[-1] < 2:
        raise ValueError(f"probabilities must be (…, K) with K ≥ 2 classes last, got shape {p.shape}")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.floating)) or not 0 < threshold <= 1:
        raise ValueError(f"threshold must be a number in (0, 1], got {threshold!r}")
    foreground = 1.0 - p[..., 0] >= threshold
    return np.where(foreground, 1 + p[..., 1:].argmax(axis=-1), 0).astype(np.uint8)


@dataclass(frozen=True)
class PatientScores:
    """Per patient and structure: Dice, HD95 (mm) and the true and predicted volumes (mm³).

    Every array is ``(patients, structures)``; :attr:`structures` names the columns (each foreground class,
    then all of them together), :attr:`patients` the rows.
    """

    patients: np.ndarray
    structures: tuple[str, ...]
    dice: np.ndarray
    hd95: np.ndarray
    true_volume: np.ndarray
    predicted_volume: np.ndarray

    @property
    def volume_error(self) -> np.ndarray:
        """Predicted minus true volume, in mm³ (positive: the model over-segments)."""
        return self.predicted_volume - self.true_volume

    def worst(self, structure: int = -1) -> int:
        """Row of the patient with the lowest Dice for one structure (default: all structures together)."""
        return int(np.nanargmin(self.dice[:, structure]))

    def agreement(self, structure: int = -1):
        """Bland–Altman statistics of the predicted against the true volume of one structure."""
        return bland_altman(self.predicted_volume[:, structure], self.true_volume[:, structure])

    def table(self, title: str = "") -> str:
        """Mean ± standard deviation over the patients, one line per structure."""
        lines = [title] if title else []
        lines.append(f"{'structure':<26}{'Dice':>15}{'HD95 (mm)':>15}{'volume error (mm³)':>22}")
        for column, name in enumerate(self.structures):
            cells = [_mean_sd(values[:, column], digits) for values, digits in
                     ((self.dice, 3), (self.hd95, 2), (self.volume_error, 0))]
            lines.append(f"{name:<26}{cells[0]:>15}{cells[1]:>15}{cells[2]:>22}")
        return "\n".join(lines)


def _mean_sd(values: np.ndarray, digits: int) -> str:
    finite = values[np.isfinite(values)]
    text = f"{finite.mean():.{digits}f} ± {finite.std(ddof=1) if len(finite) > 1 else 0.0:.{digits}f}"
    return text if len(finite) == len(values) else f"{text} ({len(values) - len(finite)} inf)"


def patient_scores(volumes: Sequence, classes: Sequence[str]) -> PatientScores:
    """Dice, HD95 and volumes of every patient's stacked volume, per structure and for all of them together.

    Parameters
    ----------
    volumes : sequence of PatientVolume
        As :func:`medcourse.data.hippocampus.volumes` returns them, with predictions (``predicted``).
    classes : sequence of str
        The dataset's class names, the background first (``data.classes``).

    Returns
    -------
    PatientScores
        Structures ``classes[1:]`` and ``"all foreground"`` (e.g. the whole hippocampus: anterior and
        posterior together, the volume a clinician reports). HD95 uses each patient's voxel spacing.
    """
    if not volumes or any(getattr(v, "predicted", None) is None for v in volumes):
        raise ValueError("volumes must be a non-empty list of PatientVolume with predictions: call "
                         "hippocampus.volumes(data, split, predicted=...) with the model's predictions")
    labels = [[k] for k in range(1, len(classes))] + [list(range(1, len(classes)))]
    rows = {"dice": [], "hd95": [], "true_volume": [], "predicted_volume": []}
    for patient in volumes:
        scores = {key: [] for key in rows}
        for chosen in labels:
            truth, predicted = np.isin(patient.truth, chosen), np.isin(patient.predicted, chosen)
            scores["dice"].append(dice(truth, predicted, labels=1))
            scores["hd95"].append(hausdorff_distance(truth, predicted, spacing=patient.spacing_mm, percentile=95))
            scores["true_volume"].append(volume(truth, labels=1, spacing=patient.spacing_mm))
            scores["predicted_volume"].append(volume(predicted, labels=1, spacing=patient.spacing_mm))
        for key in rows:
            rows[key].append(scores[key])
    return PatientScores(patients=np.array([v.patient for v in volumes]),
                         structures=(*classes[1:], "all foreground"),
                         **{key: np.array(value, dtype=np.float64) for key, value in rows.items()})


def ejection_fraction_from_areas(areas) -> np.ndarray:
    """Ejection fraction in % from the left-ventricle cavity area of every frame: ``100 (1 − (A_min/A_max)^{3/2})``.

    The cine data take the volume ∝ r³ and the area ∝ r², so volume ∝ area^{3/2}; end-diastole is the
    frame of largest area, end-systole the smallest (notebook 05 §7, notebook 08's regression target).

    Parameters
    ----------
    areas : array (T,) or (N, T)
        Cavity area per frame (pixels or mm²), one row per sequence.

    Examples
    --------
    >>> ejection_fraction_from_areas([100.0, 64.0, 81.0]).round(1)
    np.float64(48.8)
    """
    areas = np.asarray(areas, dtype=np.float64)
    if areas.ndim not in (1, 2) or areas.shape[-1] < 2:
        raise ValueError(f"areas must be (T,) or (N, T) with at least two frames, got shape {areas.shape}")
    if np.any(areas < 0) or np.any(areas.max(axis=-1) <= 0):
        raise ValueError("areas must be ≥ 0 with a positive largest area in every sequence (an empty cavity "
                         "in every frame has no ejection fraction)")
    return 100.0 * (1.0 - (areas.min(axis=-1) / areas.max(axis=-1)) ** 1.5)
