"""medcourse.training (History, the metrics of an epoch, the bookkeeping of a run) and both frameworks' fit."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest
from sklearn.metrics import f1_score, log_loss
from twins import FRAMEWORKS, load_twin, tiny_dataset, tiny_segmentation

import medcourse
from medcourse.data import Dataset
from medcourse.training import History, TrainingRun, class_weights, compare, epoch_metrics

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


def test_regression_history_keeps_the_lowest_validation_loss_and_prints_the_mae():
    h = History("pytorch", task="regression")
    h.record({"loss": 1.0, "mae": 9.0}, {"loss": 0.8, "mae": 8.0})
    h.record({"loss": 0.5, "mae": 6.0}, {"loss": 0.9, "mae": 7.0})
    assert h.best_epoch == 1 and h.metrics == ("loss", "mae")
    assert "MAE 8.000" in str(h)
    with pytest.raises(ValueError, match="task must be one of"):
        History(task="ranking")


def test_regression_metrics_are_the_standardised_mse_and_the_mae_in_units():
    result = epoch_metrics(np.array([10.0, 20.0, 30.0]), np.array([12.0, 18.0, 30.0]), "regression",
                           target_scale=2.0)
    assert result == pytest.approx({"loss": (1 + 1 + 0) / 3, "mae": 4 / 3})


def test_segmentation_dice_is_the_pooled_foreground_f1_of_scikit_learn():
    rng = np.random.default_rng(1)
    masks = rng.integers(0, 3, (6, 8, 8))
    probabilities = rng.dirichlet(np.ones(3), size=(6, 8, 8))
    result = epoch_metrics(masks, probabilities, "segmentation")
    expected = f1_score(masks.ravel(), probabilities.argmax(-1).ravel(), labels=[1, 2], average="macro")
    assert result["dice"] == pytest.approx(expected)
    chosen = np.take_along_axis(probabilities, masks[..., None], -1)
    assert result["loss"] == pytest.approx(-np.log(chosen).mean())


def test_a_training_run_accumulates_segmentation_batches_like_the_whole_epoch():
    rng = np.random.default_rng(2)
    masks = rng.integers(0, 3, (10, 6, 6))
    probabilities = rng.dirichlet(np.ones(3), size=(10, 6, 6))
    run = TrainingRun("test", "segmentation", epochs=1, steps_per_epoch=2, verbose=False)
    for _ in run.epochs():
        run.batch(0.0, masks[:4], probabilities[:4])
        run.batch(0.0, masks[4:], probabilities[4:])
        assert run.end_epoch(masks, probabilities)
    history = run.finish()
    assert history.train["dice"][0] == pytest.approx(history.val["dice"][0])
    assert history.train["loss"][0] == pytest.approx(history.val["loss"][0])


# --- both frameworks' fit, evaluate, predict_proba, checkpoints ----------------------------------------


@pytest.fixture(scope="module", params=FRAMEWORKS)
def trained(request):
    twin = load_twin(request.param)
    dataset = tiny_dataset()
    medcourse.seed_everything(0)
    model = twin.package.cnn_classifier((16, 16, 1), 3)
    return twin, dataset, model, twin.package.fit(model, dataset, epochs=2, batch_size=16, verbose=False)


def test_fit_lowers_the_loss_on_a_tiny_dataset(trained):
    twin, _, _, history = trained
    assert history.framework == twin.name and history.epochs == 2
    assert history.train["loss"][1] < history.train["loss"][0]
    assert history.val["loss"][1] < history.val["loss"][0]


def test_fit_keeps_the_best_epoch_weights(trained):
    twin, dataset, model, history = trained
    assert twin.package.evaluate(model, dataset, "val") == pytest.approx(history.best(), abs=1e-6)


def test_same_seed_gives_the_same_history(trained):
    twin, dataset, _, history = trained
    medcourse.seed_everything(0)
    again = twin.package.fit(twin.package.cnn_classifier((16, 16, 1), 3), dataset, epochs=2, batch_size=16,
                             verbose=False)
    assert again == history


def test_evaluate_reports_loss_accuracy_auc_and_checks_the_split(trained):
    twin, dataset, model, _ = trained
    result = twin.package.evaluate(model, dataset)
    assert set(result) == {"loss", "accuracy", "auc"} and 0 <= result["accuracy"] <= 1
    with pytest.raises(ValueError, match="split"):
        twin.package.evaluate(model, dataset, "validation")


def test_fit_refuses_regression_data_and_bad_epochs(twin):
    dataset = tiny_dataset()
    regression = Dataset("r", dataset.train, dataset.val, dataset.test, (), "regression")
    model = twin.package.cnn_classifier((16, 16, 1), 3)
    with pytest.raises(ValueError, match="task"):
        twin.package.fit(model, regression, epochs=1, verbose=False)
    with pytest.raises(ValueError, match="epochs"):
        twin.package.fit(model, dataset, epochs=0, verbose=False)


def test_predict_proba_gives_probabilities_from_uint8_images_and_refuses_others(twin):
    model = twin.package.cnn_classifier((16, 16, 1), 3)
    probabilities = twin.package.predict_proba(model, tiny_dataset().test[0])
    assert probabilities.shape == (48, 3) and probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-6)
    with pytest.raises(TypeError, match="uint8"):
        twin.package.predict_proba(model, np.zeros((2, 16, 16), np.float32))
    with pytest.raises(ValueError, match=r"\(16, 16, 1\)"):
        twin.package.predict_proba(model, np.zeros((2, 28, 28), np.uint8))


def test_device_is_a_gpu_only_when_one_is_present(twin):
    gpu = {"pytorch": lambda: twin.torch.cuda.is_available(),
           "tensorflow": lambda: bool(twin.tf.config.list_physical_devices("GPU"))}[twin.name]()
    assert isinstance(twin.package.device(), str)
    assert ("GPU" in twin.package.device().upper() or "CUDA" in twin.package.device().upper()) == gpu


def test_saved_weights_load_back_identically(twin, tmp_path):
    model = twin.package.cnn_classifier((16, 16, 1), 3)
    path = twin.package.save_weights(model, tmp_path / twin.checkpoint)
    other = twin.package.load_weights(twin.package.cnn_classifier((16, 16, 1), 3), path)
    for a, b in zip(twin.weights(model), twin.weights(other), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(FileNotFoundError, match="no weights file"):
        twin.package.load_weights(other, tmp_path / ("missing" + twin.checkpoint))


def _fully_convolutional(twin, classes: int = 3):
    """A two-layer per-pixel classifier: enough to check that fit learns masks (the U-Net is notebook 05's)."""
    if twin.name == "pytorch":
        nn = twin.torch.nn
        return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, classes, 3, padding=1))
    keras = twin.keras
    return keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
                             keras.layers.Conv2D(classes, 3, padding="same", activation="softmax")])


def test_fit_learns_a_segmentation_and_predicts_per_pixel_probabilities(twin):
    dataset = tiny_segmentation()
    medcourse.seed_everything(0)
    model = _fully_convolutional(twin)
    history = twin.package.fit(model, dataset, epochs=4, batch_size=8, learning_rate=1e-2, schedule="constant",
                               verbose=False)  # a large constant step: four short epochs are enough
    assert history.task == "segmentation" and history.metrics == ("loss", "dice")
    assert history.val["dice"][history.best_epoch - 1] > history.val["dice"][0] or history.best_epoch == 1
    assert history.best()["dice"] > 0.5
    probabilities = twin.package.predict_proba(model, dataset.test[0])
    assert probabilities.shape == (16, 16, 16, 3)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1, atol=1e-5)
    assert twin.package.evaluate(model, dataset, "val") == pytest.approx(history.best(), abs=1e-6)


def test_fit_minimises_the_loss_it_is_given_instead_of_the_cross_entropy(twin):
    if twin.name == "pytorch":  # PyTorch's argument order: loss(logits, labels)
        torch = twin.torch

        def towards_class_0(logits, labels):
            return torch.nn.functional.cross_entropy(logits, torch.zeros_like(labels))
    else:  # Keras's argument order: loss(labels, probabilities)
        tf = twin.tf

        def towards_class_0(labels, probabilities):
            return tf.reduce_mean(twin.keras.losses.sparse_categorical_crossentropy(tf.zeros_like(labels), probabilities))
    dataset = tiny_dataset()
    medcourse.seed_everything(0)
    model = twin.package.cnn_classifier((16, 16, 1), 3)
    twin.package.fit(model, dataset, epochs=2, batch_size=16, loss=towards_class_0, verbose=False)
    assert np.all(twin.package.predict_proba(model, dataset.test[0]).argmax(axis=1) == 0)


# --- the recipe: step sizes, weight decay, the decision threshold, real data ----------------------------


def test_cosine_step_sizes_warm_up_then_fall_to_zero_and_constant_ones_stay():
    from medcourse.recipe import WARMUP_FRACTION, learning_rates

    rates = learning_rates(50, 10, 2e-3)
    warmup = round(WARMUP_FRACTION * 500)
    assert rates.shape == (500,) and np.all(np.diff(rates[:warmup]) > 0)
    assert rates.max() <= 2e-3 and rates[warmup - 1] == pytest.approx(2e-3 * 0.5 * (1 + np.cos(np.pi * (warmup - 1) / 500)))
    assert np.all(np.diff(rates[warmup:]) < 0) and rates[-1] < 1e-7
    assert np.array_equal(learning_rates(3, 2, 0.1, "constant"), np.full(6, 0.1))
    with pytest.raises(ValueError, match="schedule must be one of"):
        learning_rates(3, 2, 0.1, "step")
    with pytest.raises(ValueError, match="at least one step"):
        learning_rates(0, 2, 0.1)


@pytest.mark.parametrize(("options", "message"), [
    ({"learning_rate": 0.0}, "learning_rate"), ({"learning_rate": float("nan")}, "learning_rate"),
    ({"weight_decay": -1e-4}, "weight_decay"), ({"schedule": "linear"}, "schedule"),
    ({"threshold": "f1"}, "threshold"),
])
def test_fit_refuses_bad_recipe_arguments_naming_them(twin, options, message):
    model = twin.package.cnn_classifier((16, 16, 1), 3)
    with pytest.raises(ValueError, match=message):
        twin.package.fit(model, tiny_dataset(), epochs=1, verbose=False, **options)


def _tiny_binary():
    dataset = tiny_dataset()
    binary = [(images, (labels == 1).astype(np.int64)) for images, labels in dataset.splits().values()]
    return Dataset("tiny binary", *binary, ("other", "middle bar"), "binary")


def test_fit_leaves_two_class_models_the_youden_threshold_of_validation_and_evaluate_uses_it(twin):
    from medcourse import metrics

    dataset = _tiny_binary()
    medcourse.seed_everything(0)
    model = twin.package.cnn_classifier((16, 16, 1), 2)
    twin.package.fit(model, dataset, epochs=2, batch_size=16, verbose=False)
    p_val = twin.package.predict_proba(model, dataset.val[0])
    assert model.decision_threshold == pytest.approx(metrics.youden_threshold(dataset.val[1], p_val[:, 1]))
    p_test = twin.package.predict_proba(model, dataset.test[0])
    expected = np.mean((p_test[:, 1] >= model.decision_threshold) == dataset.test[1])
    assert twin.package.evaluate(model, dataset)["accuracy"] == pytest.approx(expected)
    twin.package.fit(model, dataset, epochs=1, batch_size=16, threshold=None, verbose=False)
    assert model.decision_threshold is None
    assert twin.package.evaluate(model, dataset)["accuracy"] == pytest.approx(
        np.mean(twin.package.predict_proba(model, dataset.test[0]).argmax(1) == dataset.test[1]))


def test_several_classes_keep_the_most_probable_class_as_the_decision(trained):
    _, _, model, _ = trained
    assert model.decision_threshold is None


def test_weight_decay_shrinks_the_weights_it_is_given(twin):
    dataset = tiny_dataset()
    norms = {}
    for decay in (0.0, 20.0):  # η·λ = 0.04: each of the 12 steps shrinks every weight by 4 %
        medcourse.seed_everything(0)
        model = twin.package.cnn_classifier((16, 16, 1), 3)
        twin.package.fit(model, dataset, epochs=2, batch_size=16, weight_decay=decay, schedule="constant",
                         verbose=False)
        norms[decay] = sum(float(np.sum(w ** 2)) for w in twin.weights(model))
    assert norms[20.0] < 0.8 * norms[0.0]


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["notes", "modern"])
def test_both_cnns_learn_real_breast_ultrasound_in_two_epochs(twin, variant):
    """A smoke test on the shipped BreastMNIST file (real images, no network): fit runs and ranks better than chance."""
    from medcourse.data import load_dataset

    data = load_dataset("breastmnist")
    medcourse.seed_everything(0)
    model = twin.package.cnn_classifier((28, 28, 1), 2, variant=variant)
    history = twin.package.fit(model, data, epochs=2, verbose=False)
    assert history.epochs == 2 and history.task == "binary" and 0 < model.decision_threshold < 1
    assert twin.package.evaluate(model, data, "val")["auc"] > 0.6
