"""medcourse.metrics agrees with scikit-learn and refuses bad input with a clear message."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import calibration as sk_calibration
from sklearn import metrics as sk

from medcourse import metrics


def _binary_case(seed: int = 0, n: int = 200, *, rounding: int | None = None):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    score = np.clip(0.3 * y + rng.normal(0.35, 0.25, n), 0, 1)
    if rounding is not None:
        score = np.round(score, rounding)  # many tied scores
    return y, score


def _multiclass_case(seed: int = 0, n: int = 300, k: int = 4):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y, probabilities


def test_confusion_matrix_equals_sklearn():
    y, p = _multiclass_case()
    predicted = p.argmax(axis=1)
    np.testing.assert_array_equal(metrics.confusion_matrix(y, predicted), sk.confusion_matrix(y, predicted))


def test_confusion_matrix_keeps_classes_absent_from_both_arrays():
    assert metrics.confusion_matrix([0, 1], [0, 1], num_classes=4).shape == (4, 4)


def test_binary_ratios_equal_their_definitions_and_sklearn():
    y, score = _binary_case()
    predicted = (score >= 0.5).astype(int)
    tn, fp, fn, _ = sk.confusion_matrix(y, predicted).ravel()
    assert metrics.sensitivity(y, predicted) == pytest.approx(sk.recall_score(y, predicted))
    assert metrics.specificity(y, predicted) == pytest.approx(tn / (tn + fp))
    assert metrics.ppv(y, predicted) == pytest.approx(sk.precision_score(y, predicted))
    assert metrics.npv(y, predicted) == pytest.approx(tn / (tn + fn))


def test_per_class_ratios_are_one_vs_rest():
    y, p = _multiclass_case()
    predicted = p.argmax(axis=1)
    np.testing.assert_allclose(metrics.sensitivity(y, predicted), sk.recall_score(y, predicted, average=None))
    np.testing.assert_allclose(metrics.ppv(y, predicted), sk.precision_score(y, predicted, average=None))
    for c in range(4):
        expected = sk.recall_score(y != c, predicted != c)  # specificity of c = sensitivity of "not c"
        assert metrics.specificity(y, predicted, positive=c) == pytest.approx(expected)


def test_ratio_with_empty_denominator_is_nan_not_zero():
    assert np.isnan(metrics.sensitivity([0, 0, 0], [0, 1, 0]))


@pytest.mark.parametrize("rounding", [None, 1, 2])
def test_roc_curve_and_auc_equal_sklearn_including_ties(rounding):
    y, score = _binary_case(rounding=rounding)
    for drop in (True, False):
        ours = metrics.roc_curve(y, score, drop_intermediate=drop)
        theirs = sk.roc_curve(y, score, drop_intermediate=drop)
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(a, b)
    assert metrics.roc_auc(y, score) == pytest.approx(sk.roc_auc_score(y, score), abs=1e-12)


def test_all_scores_tied_give_auc_one_half():
    assert metrics.roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == pytest.approx(0.5)


def test_multiclass_macro_auc_equals_sklearn_one_vs_rest():
    y, p = _multiclass_case()
    assert metrics.roc_auc(y, p) == pytest.approx(sk.roc_auc_score(y, p, multi_class="ovr", average="macro"))
    per_class = metrics.roc_auc(y, p, average=None)
    assert per_class.shape == (4,)
    assert per_class[2] == pytest.approx(sk.roc_auc_score(y == 2, p[:, 2]))


def test_two_column_scores_use_the_positive_column():
    y, score = _binary_case()
    assert metrics.roc_auc(y, np.stack([1 - score, score], axis=1)) == pytest.approx(sk.roc_auc_score(y, score))


def test_auc_with_a_single_class_present_is_a_clear_error():
    with pytest.raises(ValueError, match="both positive"):
        metrics.roc_auc([1, 1, 1], [0.2, 0.6, 0.9])
    y, p = _multiclass_case()
    with pytest.raises(ValueError, match="class 3"):
        metrics.roc_auc(y[y != 3], p[y != 3])


@pytest.mark.parametrize(
    ("y_true", "y_other", "message"),
    [
        (np.zeros((3, 2), int), np.zeros(3, int), "1-D"),
        ([0, 1, 1], [0, 1], "same shape"),
        ([0, 1, -1], [0, 1, 1], "negative"),
        ([], [], "empty"),
    ],
)
def test_bad_labels_are_refused_with_the_argument_named(y_true, y_other, message):
    with pytest.raises(ValueError, match=message):
        metrics.confusion_matrix(y_true, y_other)


def test_probabilities_given_as_labels_are_refused():
    with pytest.raises(TypeError, match="probabilities"):
        metrics.sensitivity([0, 1], [0.2, 0.9])
    with pytest.raises(TypeError, match="y_true"):
        metrics.accuracy(["a", "b"], [0, 1])


def test_score_of_wrong_length_is_refused():
    with pytest.raises(ValueError, match="y_score must have shape"):
        metrics.roc_auc([0, 1, 1], [0.1, 0.9])


def test_report_numbers_match_sklearn_and_table_names_classes():
    y, p = _multiclass_case()
    result = metrics.report(y, p, classes=["naevus", "melanoma", "keratosis", "cyst"])
    assert result.accuracy == pytest.approx(sk.accuracy_score(y, p.argmax(axis=1)))
    assert result.macro_auc == pytest.approx(sk.roc_auc_score(y, p, multi_class="ovr"))
    np.testing.assert_array_equal(result.support, np.bincount(y))
    table = str(result)
    assert "melanoma" in table and "macro AUC" in table and "sensitivity" in table
    assert result.as_dict()["sensitivity"]["cyst"] == pytest.approx(sk.recall_score(y, p.argmax(1), average=None)[3])


def test_report_accepts_binary_probabilities_and_labels():
    y, score = _binary_case()
    from_probability = metrics.report(y, score)
    assert from_probability.macro_auc == pytest.approx(sk.roc_auc_score(y, score))
    from_labels = metrics.report(y, (score >= 0.5).astype(int))
    assert from_labels.auc is None and from_labels.accuracy == pytest.approx(from_probability.accuracy)


def test_report_refuses_class_names_that_do_not_match_columns():
    y, p = _multiclass_case()
    with pytest.raises(ValueError, match="classes"):
        metrics.report(y, p, classes=["a", "b"])


def test_calibration_of_a_perfectly_calibrated_model_is_near_zero():
    rng = np.random.default_rng(1)
    p1 = rng.uniform(size=20000)
    y = (rng.uniform(size=20000) < p1).astype(int)
    confidence, accuracy, counts, ece = metrics.calibration_curve(y, p1, bins=10)
    assert counts.sum() == 20000 and ece < 0.02
    filled = counts > 0
    np.testing.assert_allclose(accuracy[filled], confidence[filled], atol=0.05)


# --- calibration fixed, thresholds, precision–recall, prevalence, bootstrap ------------------------------



def test_ece_equals_the_one_computed_from_sklearn_calibration_curve():
    y, p = _multiclass_case(seed=3)
    _, _, counts, ece = metrics.calibration_curve(y, p, bins=10)
    correct = (p.argmax(1) == y).astype(int)
    accuracy, confidence = sk_calibration.calibration_curve(correct, p.max(1), n_bins=10)
    assert ece == pytest.approx(np.sum(counts[counts > 0] / len(y) * np.abs(accuracy - confidence)), abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.floats(0.2, 5.0), st.integers(0, 10_000))
def test_temperature_scaling_keeps_the_ranking_and_rows_summing_to_one(temperature, seed):
    _, p = _multiclass_case(seed=seed, n=40)
    scaled = metrics.temperature_scale(p, temperature)
    np.testing.assert_allclose(scaled.sum(axis=1), 1.0, atol=1e-12)
    assert np.array_equal(scaled.argmax(axis=1), p.argmax(axis=1))
    np.testing.assert_allclose(metrics.temperature_scale(p, 1.0), p, atol=1e-9)


def test_fit_temperature_undoes_an_overconfidence_it_is_shown_and_leaves_a_calibrated_model_alone():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 2, (4000, 3))
    calibrated = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    labels = np.array([rng.choice(3, p=row) for row in calibrated])
    assert metrics.fit_temperature(labels, calibrated) == pytest.approx(1.0, abs=0.1)
    overconfident = metrics.temperature_scale(calibrated, 0.5)
    assert metrics.fit_temperature(labels, overconfident) == pytest.approx(2.0, rel=0.1)
    assert metrics.calibration_curve(labels, metrics.temperature_scale(overconfident, 2.0))[3] < \
        metrics.calibration_curve(labels, overconfident)[3]
    with pytest.raises(ValueError, match="temperature"):
        metrics.temperature_scale(calibrated, 0.0)


@pytest.mark.parametrize("rounding", [None, 1, 2])
def test_precision_recall_curve_and_average_precision_equal_sklearn_including_ties(rounding):
    y, score = _binary_case(seed=4, rounding=rounding)
    for ours, theirs in zip(metrics.precision_recall_curve(y, score), sk.precision_recall_curve(y, score), strict=True):
        np.testing.assert_allclose(ours, theirs)
    assert metrics.average_precision_score(y, score) == pytest.approx(sk.average_precision_score(y, score))


def test_youden_threshold_maximises_sensitivity_plus_specificity_and_ignores_the_prevalence():
    y, score = _binary_case(seed=5)
    threshold = metrics.youden_threshold(y, score)
    candidates = np.unique(score)
    youden = [metrics.sensitivity(y, (score >= t).astype(int)) + metrics.specificity(y, (score >= t).astype(int))
              for t in candidates]
    called = (score >= threshold).astype(int)
    assert metrics.sensitivity(y, called) + metrics.specificity(y, called) == pytest.approx(max(youden))
    negatives = y == 0
    more_healthy = np.r_[y, y[negatives], y[negatives]], np.r_[score, score[negatives], score[negatives]]
    assert metrics.youden_threshold(*more_healthy) == pytest.approx(threshold)


def test_decide_takes_the_most_probable_class_or_the_threshold_on_class_1():
    p = np.array([[0.7, 0.3], [0.45, 0.55], [0.2, 0.8]])
    assert metrics.decide(p).tolist() == [0, 1, 1]
    assert metrics.decide(p, 0.6).tolist() == [0, 0, 1]
    with pytest.raises(ValueError, match="two classes"):
        metrics.decide(np.full((2, 3), 1 / 3), 0.5)


def test_ppv_at_prevalence_is_bayes_rule_and_equals_counting():
    y, score = _binary_case(seed=6, n=500)
    called = (score >= 0.5).astype(int)
    se, sp = metrics.sensitivity(y, called), metrics.specificity(y, called)
    assert metrics.ppv_at_prevalence(se, sp, y.mean()) == pytest.approx(metrics.ppv(y, called))
    assert metrics.ppv_at_prevalence(0.9, 0.95, 0.01) == pytest.approx(0.009 / (0.009 + 0.0495))
    with pytest.raises(ValueError, match="prevalence"):
        metrics.ppv_at_prevalence(0.9, 0.9, 1.5)


def test_bootstrap_interval_contains_the_estimate_is_repeatable_and_narrows_with_more_cases():
    widths = []
    for n in (100, 1600):
        y, score = _binary_case(seed=7, n=n)
        estimate, low, high = metrics.bootstrap_ci(metrics.roc_auc, y, score, resamples=300, seed=1)
        assert low < estimate < high and estimate == pytest.approx(sk.roc_auc_score(y, score))
        assert (estimate, low, high) == metrics.bootstrap_ci(metrics.roc_auc, y, score, resamples=300, seed=1)
        widths.append(high - low)
    assert widths[1] < widths[0] / 2  # four times the cases → about half the width (1/√N)
    with pytest.raises(ValueError, match="level"):
        metrics.bootstrap_ci(metrics.roc_auc, y, score, level=95)
