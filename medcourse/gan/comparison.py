"""A paired comparison over seeds: does one training recipe beat another, beyond the seed-to-seed noise? (notebook 10).

Each seed trains both arms from the same initial weights and batch order, so the difference *within*
a seed removes much of the noise that the two arms share. The mean difference gets a Student-t
confidence interval with ``n − 1`` degrees of freedom; when the interval contains 0, the data do not
show which arm is better.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PairedDifference", "paired_difference"]


@dataclass(frozen=True)
class PairedDifference:
    """Result of :func:`paired_difference`; prints as one line.

    Attributes
    ----------
    differences : float array
        ``treatment − control`` per seed.
    mean, sd : float
        Mean and sample standard deviation (``n − 1``) of the differences.
    low, high : float
        The confidence interval of the mean difference.
    confidence : float
    """

    differences: np.ndarray
    mean: float
    sd: float
    low: float
    high: float
    confidence: float

    @property
    def verdict(self) -> str:
        """``"better"``, ``"worse"`` or ``"no clear difference"``: where the interval lies relative to 0."""
        if self.low > 0:
            return "better"
        if self.high < 0:
            return "worse"
        return "no clear difference"

    def __str__(self) -> str:
        return (f"{self.mean:+.3f} (sd {self.sd:.3f}, {100 * self.confidence:.0f} % CI {self.low:+.3f} to "
                f"{self.high:+.3f}, {len(self.differences)} seeds): {self.verdict}")


def paired_difference(treatment, control, *, confidence: float = 0.95) -> PairedDifference:
    """Mean of ``treatment − control`` over paired runs, with its Student-t confidence interval.

    Parameters
    ----------
    treatment, control : sequences of float, the same length ``n ≥ 2``
        One score per seed, e.g. the test accuracy with and without synthetic images.
    confidence : float in (0, 1)

    Examples
    --------
    >>> result = paired_difference([0.80, 0.82, 0.81], [0.75, 0.78, 0.76])
    >>> round(result.mean, 3), result.verdict
    (0.047, 'better')
    """
    from scipy import stats

    treatment, control = (np.asarray(values, dtype=np.float64) for values in (treatment, control))
    if treatment.ndim != 1 or treatment.shape != control.shape or len(treatment) < 2:
        raise ValueError(f"treatment and control must be 1-D with the same length of at least 2 (one score per "
                         f"seed), got shapes {treatment.shape} and {control.shape}")
    if not np.all(np.isfinite(treatment)) or not np.all(np.isfinite(control)):
        raise ValueError("treatment and control must be finite numbers")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    differences = treatment - control
    mean, sd = float(differences.mean()), float(differences.std(ddof=1))
    half_width = float(stats.t.ppf(0.5 + confidence / 2, len(differences) - 1)) * sd / np.sqrt(len(differences))
    return PairedDifference(differences, mean, sd, mean - half_width, mean + half_width, float(confidence))
