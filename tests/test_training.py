"""medcourse.training (the framework-free History and epoch bookkeeping) and medcourse.plot.history."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest
from sklearn.metrics import log_loss

from medcourse.training import History, class_weights, compare, epoch_metrics, images_to_float

matplotlib.use("Agg")


def _epoch(loss, accuracy, auc):
    return {"loss": loss, "accuracy": accuracy, "auc": auc}


def test_best_epoch_is_the_highest_validation_auc_ties_broken_by_loss():
    h = History("pytorch")
    h.record(_epoch(1.0, 0.5, 0.6), _epoch(0.9, 0.5, 0.70))
    h.record(_epoch(0.8, 0.6, 0.7), _epoch(0.8, 0.6, 0.90))
    h.record(_epoch(0.6, 0.7, 0.8), _epoch(0.7, 0.6, 0.90))  # same AUC, lower loss: better
    h.record(_epoch(0.5, 0.8, 0.9), _epoch(0.9, 0.6, 0.85))
    assert h.best_epoch == 3 and h.best() == _epoch(0.7, 0.6, 0.90) and h.epochs == 4


def test_undefined_auc_falls_back_to_loss():
    h = History()
    h.record(_epoch(1, 0, math.nan), _epoch(1.0, 0, math.nan))
    assert h.record(_epoch(1, 0, math.nan), _epoch(0.5, 0, math.nan))


def test_histories_compare_equal_whatever_their_run_times():
    a, b = History("tensorflow"), History("tensorflow")
    a.record(_epoch(1, 0.5, 0.5), _epoch(1, 0.5, 0.5), seconds=1.0)
    b.record(_epoch(1, 0.5, 0.5), _epoch(1, 0.5, 0.5), seconds=7.0)
    assert a == b
    b.train["loss"][0] = 0.9
    assert a != b


def test_record_refuses_missing_metrics():
    with pytest.raises(ValueError, match="auc"):
        History().record({"loss": 1, "accuracy": 0}, _epoch(1, 0, 0))


def test_epoch_metrics_loss_equals_sklearn_log_loss():
    rng = np.random.default_rng(0)
    labels = np.arange(60) % 3
    logits = rng.normal(size=(60, 3))
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    result = epoch_metrics(labels, p)
    assert result["loss"] == pytest.approx(log_loss(labels, p))
    assert result["accuracy"] == pytest.approx(np.mean(p.argmax(1) == labels))


def test_epoch_metrics_auc_is_nan_when_a_class_is_missing():
    assert math.isnan(epoch_metrics(np.array([0, 0]), np.array([[0.7, 0.3], [0.6, 0.4]]))["auc"])


def test_balanced_class_weights_give_every_class_the_same_total():
    labels = np.array([0] * 90 + [1] * 10)
    weights = class_weights(labels, 2)
    assert weights[0] * 90 == pytest.approx(weights[1] * 10) == pytest.approx(50)
    assert class_weights(labels, 2, None).tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="every class"):
        class_weights(labels, 3)
    with pytest.raises(ValueError, match="balanced"):
        class_weights(labels, 2, "inverse")


def test_images_to_float_scales_uint8_and_refuses_floats_and_bad_shapes():
    out = images_to_float(np.array([[[0, 255]]], dtype=np.uint8))
    assert out.shape == (1, 1, 2, 1) and out.dtype == np.float32 and out.max() == 1.0
    with pytest.raises(TypeError, match="uint8"):
        images_to_float(np.zeros((1, 4, 4), np.float32))
    with pytest.raises(ValueError, match="N×H×W"):
        images_to_float(np.zeros((4, 4), np.uint8))


def test_plot_history_overlays_runs_and_compare_lists_them():
    from medcourse.plot import history as plot_history

    a, b = History("tensorflow"), History("pytorch")
    for h in (a, b):
        h.record(_epoch(1, 0.5, 0.6), _epoch(1, 0.5, 0.6))
        h.record(_epoch(0.8, 0.6, 0.7), _epoch(0.9, 0.55, 0.65))
    axes = plot_history(a, b)
    assert len(axes) == 3
    assert len(axes[0].lines) == 6  # per run: train, validation, best-epoch dot
    assert axes[0].get_xlabel() == "epoch"
    table = compare(a, b)
    assert "tensorflow" in table and "pytorch" in table
