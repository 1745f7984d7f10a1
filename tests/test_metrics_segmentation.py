"""medcourse.metrics.segmentation against independent implementations: sets, SciPy's Hausdorff and distance transform."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage
from scipy.spatial.distance import directed_hausdorff

from medcourse import metrics
from medcourse.metrics.segmentation import bland_altman, boundary, dice, hausdorff_distance, iou, volume

SHAPES = st.sampled_from([(7, 9), (5, 6, 4), (12, 3), (1, 10)])
SPACINGS = st.floats(0.3, 3.0)


@st.composite
def mask_pairs(draw, classes: int = 4):
    shape = draw(SHAPES)
    masks = st.integers(0, classes - 1)
    return draw(arrays(np.uint8, shape, elements=masks)), draw(arrays(np.uint8, shape, elements=masks))


@st.composite
def structure_pairs(draw):
    """Two non-empty boolean structures of one shape, and a spacing per axis."""
    shape = draw(SHAPES)
    a = draw(arrays(bool, shape).filter(np.any))
    b = draw(arrays(bool, shape).filter(np.any))
    return a, b, tuple(draw(SPACINGS) for _ in shape)


def _dice_from_sets(y_true, y_pred, k):
    a = {tuple(i) for i in np.argwhere(y_true == k)}
    b = {tuple(i) for i in np.argwhere(y_pred == k)}
    return 1.0 if not a and not b else 2 * len(a & b) / (len(a) + len(b))


@settings(max_examples=60, deadline=None)
@given(mask_pairs())
def test_dice_and_iou_equal_counting_the_sets_of_pixels(pair):
    y_true, y_pred = pair
    for k in range(1, 4):
        expected = _dice_from_sets(y_true, y_pred, k)
        assert dice(y_true, y_pred, labels=k) == pytest.approx(expected)
        a, b = set(map(tuple, np.argwhere(y_true == k))), set(map(tuple, np.argwhere(y_pred == k)))
        assert iou(y_true, y_pred, labels=k) == pytest.approx(len(a & b) / len(a | b) if a | b else 1.0)


@settings(max_examples=40, deadline=None)
@given(mask_pairs())
def test_iou_is_dice_over_two_minus_dice_and_never_larger(pair):
    d, j = dice(*pair, labels=[1, 2, 3]), iou(*pair, labels=[1, 2, 3])
    np.testing.assert_allclose(j, d / (2 - d))
    assert np.all(j <= d + 1e-12)


def test_dice_defaults_to_the_foreground_classes_present_and_states_the_empty_convention():
    truth, guess = np.array([[0, 1, 1], [0, 3, 3]]), np.array([[0, 1, 0], [3, 3, 3]])
    np.testing.assert_allclose(dice(truth, guess), [2 / 3, 0.8])       # classes 1 and 3; 0 and 2 are not scored
    assert dice(truth, guess, labels=2) == 1.0                          # absent from both: perfect agreement
    assert np.isnan(dice(truth, guess, labels=2, empty=np.nan))         # or left out of a nanmean
    assert dice(truth, np.zeros_like(truth), labels=1) == 0.0           # missed entirely
    assert dice(truth > 0, guess > 0) == pytest.approx([2 * 3 / (4 + 4)])  # booleans: class 1


@pytest.mark.parametrize(("call", "message"), [
    (lambda: dice(np.zeros((2, 2), int), np.zeros((2, 3), int)), "same shape"),
    (lambda: dice(np.zeros((2, 2)), np.zeros((2, 2), int)), "y_true must be a mask of integer"),
    (lambda: dice(np.zeros(2, int), np.zeros(2, int), labels=1.5), "labels must be an integer"),
    (lambda: hausdorff_distance(np.ones((2, 2)), np.ones((2, 2)), spacing=(1.0,)), "spacing"),
    (lambda: hausdorff_distance(np.ones((2, 2)), np.ones((2, 2)), spacing=-1), "spacing"),
    (lambda: hausdorff_distance(np.ones((2, 2)), np.ones((2, 2)), percentile=101), "percentile"),
    (lambda: volume(np.ones((2, 2), int), spacing=(1, 2, 3)), "spacing"),
    (lambda: bland_altman([1.0], [1.0]), "length ≥ 2"),
])
def test_bad_arguments_are_refused_with_a_message_naming_them(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _boundary_points(mask, spacing):
    return np.argwhere(boundary(mask)) * np.asarray(spacing)


@settings(max_examples=60, deadline=None)
@given(structure_pairs())
def test_hausdorff_distance_equals_scipy_directed_hausdorff_on_the_boundary_points(case):
    a, b, spacing = case
    points_a, points_b = _boundary_points(a, spacing), _boundary_points(b, spacing)
    expected = max(directed_hausdorff(points_a, points_b)[0], directed_hausdorff(points_b, points_a)[0])
    assert hausdorff_distance(a, b, spacing=spacing) == pytest.approx(expected)


@settings(max_examples=60, deadline=None)
@given(structure_pairs(), st.sampled_from([50, 90, 95, 100]))
def test_percentile_hausdorff_equals_one_read_off_scipy_distance_transforms(case, percentile):
    a, b, spacing = case
    # distance from every pixel to the nearest boundary pixel of the other structure, in mm
    to_b = ndimage.distance_transform_edt(~boundary(b), sampling=spacing)
    to_a = ndimage.distance_transform_edt(~boundary(a), sampling=spacing)
    expected = max(np.percentile(to_b[boundary(a)], percentile), np.percentile(to_a[boundary(b)], percentile))
    assert hausdorff_distance(a, b, spacing=spacing, percentile=percentile) == pytest.approx(expected)


@settings(max_examples=40, deadline=None)
@given(structure_pairs())
def test_hausdorff_distance_is_symmetric_zero_on_itself_and_hd95_never_exceeds_hd(case):
    a, b, spacing = case
    assert hausdorff_distance(a, b, spacing=spacing) == pytest.approx(hausdorff_distance(b, a, spacing=spacing))
    assert hausdorff_distance(a, a, spacing=spacing) == 0.0
    assert hausdorff_distance(a, b, spacing=spacing, percentile=95) <= hausdorff_distance(a, b, spacing=spacing)


def test_one_distant_stray_pixel_sets_hd_but_barely_moves_hd95_or_dice():
    truth = np.zeros((40, 40), dtype=bool)
    truth[10:20, 10:20] = True
    predicted = truth.copy()
    predicted[35, 35] = True                                         # one false positive, far away
    assert hausdorff_distance(truth, predicted) == pytest.approx(np.hypot(35 - 19, 35 - 19))
    assert hausdorff_distance(truth, predicted, percentile=95) == 0.0
    assert dice(truth, predicted, labels=1) == pytest.approx(200 / 201)


def test_hausdorff_conventions_for_empty_structures():
    empty, full = np.zeros((4, 4), bool), np.ones((4, 4), bool)
    assert hausdorff_distance(empty, empty) == 0.0
    assert hausdorff_distance(empty, full) == np.inf and hausdorff_distance(full, empty) == np.inf


def test_boundary_keeps_pixels_with_a_face_neighbour_outside_the_edge_included():
    square = np.zeros((5, 5), bool)
    square[1:4, 1:4] = True
    expected = square.copy()
    expected[2, 2] = False
    np.testing.assert_array_equal(boundary(square), expected)
    touching_the_edge = np.ones((3, 3), bool)
    touching_the_edge[1, 1] = False                                  # only the centre has all four neighbours inside
    np.testing.assert_array_equal(boundary(np.ones((3, 3), bool)), touching_the_edge)


@settings(max_examples=40, deadline=None)
@given(mask_pairs(), st.tuples(SPACINGS, SPACINGS, SPACINGS))
def test_volume_is_the_voxel_count_times_the_voxel_volume(pair, spacing):
    mask = pair[0]
    step = spacing[:mask.ndim]
    for k in range(1, 4):
        assert volume(mask, labels=k, spacing=step) == pytest.approx(np.count_nonzero(mask == k) * np.prod(step))
    present = [k for k in range(1, 4) if np.any(mask == k)]
    np.testing.assert_allclose(volume(mask, spacing=step), [volume(mask, labels=k, spacing=step) for k in present])


def test_bland_altman_gives_the_bias_and_the_limits_of_agreement():
    rng = np.random.default_rng(0)
    reference = rng.uniform(2000, 4000, 50)
    measured = reference + 100 + rng.normal(0, 30, 50)
    result = bland_altman(measured, reference)
    differences = measured - reference
    assert result.bias == pytest.approx(differences.mean())
    assert result.upper - result.bias == pytest.approx(1.96 * differences.std(ddof=1))
    np.testing.assert_allclose(result.means, (measured + reference) / 2)
    assert result.lower < 100 < result.upper


def test_the_segmentation_metrics_are_importable_from_medcourse_metrics():
    for name in ("dice", "iou", "hausdorff_distance", "volume", "boundary", "bland_altman"):
        assert getattr(metrics, name) is getattr(__import__("medcourse.metrics.segmentation", fromlist=[name]), name)
