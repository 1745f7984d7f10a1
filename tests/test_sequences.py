"""Sequence models in both frameworks: the lecture notes' RNN, training that learns, determinism, errors."""

import os

import numpy as np
import pytest

from medcourse import rnn
from medcourse.data import Dataset

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
torch = pytest.importorskip("torch")
tf = pytest.importorskip("tensorflow")

from medcourse.pytorch import rnn as torch_sequences  # noqa: E402
from medcourse.tensorflow import rnn as tf_sequences  # noqa: E402

FRAMEWORKS = {"pytorch": torch_sequences, "tensorflow": tf_sequences}


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny models train faster on one thread than on several fighting over a shared CPU."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_lecture_rnn_returns_log_probabilities_whose_rows_sum_to_one():
    model = torch_sequences.LectureRNN(3, 8, 4)
    output, hidden = model(torch.randn(5, 3), model.initHidden().repeat(5, 1))
    assert output.shape == (5, 4) and hidden.shape == (5, 8)
    assert torch.all(output <= 0)
    np.testing.assert_allclose(output.exp().sum(dim=1).detach().numpy(), 1.0, rtol=1e-6)
    assert torch.equal(model.initHidden(), torch.zeros(1, 8))


def test_keras_lecture_rnn_computes_what_the_pytorch_one_computes_with_the_same_weights():
    torch_model = torch_sequences.LectureRNN(3, 8, 4)
    keras_model = tf_sequences.LectureRNN(3, 8, 4)
    keras_model.i2h.set_weights([torch_model.i2h.weight.detach().numpy().T, torch_model.i2h.bias.detach().numpy()])
    keras_model.i2o.set_weights([torch_model.i2o.weight.detach().numpy().T, torch_model.i2o.bias.detach().numpy()])
    sequences = np.random.default_rng(0).normal(size=(5, 7, 3)).astype(np.float32)
    with torch.no_grad():
        expected = torch_model.read(torch.as_tensor(sequences)).numpy()
    np.testing.assert_allclose(keras_model.read(sequences).numpy(), expected, atol=1e-5)
    np.testing.assert_allclose(np.exp(expected).sum(axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_training_the_lecture_rnn_lowers_the_loss_and_repeats_with_the_same_seed(framework):
    module = FRAMEWORKS[framework]
    curves, labels = rnn.enhancement_curves(96, steps=8, seed=0)
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        tf.keras.utils.set_random_seed(0)
        model = module.LectureRNN(1, 8, 3)
        runs.append(module.train_lecture_rnn(model, curves, labels, epochs=3, batch_size=32, seed=0))
    assert runs[0][-1] < runs[0][0]
    assert runs[0] == runs[1]


def _tiny_sequences(task: str) -> Dataset:
    """Sequences whose target is how much a bright square moves between the first and last frame."""
    rng = np.random.default_rng(0)
    splits = {}
    for split, n in (("train", 24), ("val", 8), ("test", 8)):
        shift = rng.integers(0, 6, size=n)
        frames = np.zeros((n, 4, 12, 12), dtype=np.uint8)
        for i in range(n):
            for t in range(4):
                column = 1 + shift[i] * t // 3
                frames[i, t, 4:8, column:column + 4] = 200
        target = shift.astype(np.float64) * 10 if task == "regression" else (shift >= 3).astype(np.int64)
        splits[split] = (frames, target)
    classes = () if task == "regression" else ("still", "moving")
    return Dataset("tiny", splits["train"], splits["val"], splits["test"], classes, task)


def _model(module, task, temporal="gru"):
    outputs = 1 if task == "regression" else 2
    return module.sequence_model((12, 12), outputs=outputs, temporal=temporal, features=4, hidden=4)


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("task", ["regression", "binary"])
def test_fit_sequences_lowers_the_training_loss(framework, task):
    module = FRAMEWORKS[framework]
    dataset = _tiny_sequences(task)
    torch.manual_seed(0)
    tf.keras.utils.set_random_seed(0)
    record = module.fit_sequences(_model(module, task), dataset, epochs=4, batch_size=8, learning_rate=1e-2,
                                  verbose=False)
    assert record["loss"][-1] < record["loss"][0]
    assert len(record["val_metric"]) == 4


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_same_seed_gives_the_same_predictions(framework):
    module = FRAMEWORKS[framework]
    dataset = _tiny_sequences("regression")
    predictions = []
    for _ in range(2):
        torch.manual_seed(0)
        tf.keras.utils.set_random_seed(0)
        model = _model(module, "regression")
        module.fit_sequences(model, dataset, epochs=1, batch_size=8, seed=3, verbose=False)
        predictions.append(module.predict_sequences(model, dataset.test[0]))
    assert predictions[0].shape == (8,)
    np.testing.assert_array_equal(predictions[0], predictions[1])


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_frame_average_baseline_is_blind_to_the_order_of_frames(framework):
    module = FRAMEWORKS[framework]
    frames = _tiny_sequences("regression").test[0]
    model = _model(module, "regression", temporal="mean")
    forward = module.predict_sequences(model, frames)
    np.testing.assert_allclose(module.predict_sequences(model, frames[:, ::-1]), forward, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_row_classifier_gives_one_logit_per_class(framework):
    module = FRAMEWORKS[framework]
    model = module.row_classifier((28, 28, 1), 3, hidden=4)
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    probabilities = module.predict_sequences(model, images)
    assert probabilities.shape == (2, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_sequence_model_and_fit_refuse_wrong_inputs(framework):
    module = FRAMEWORKS[framework]
    with pytest.raises(ValueError, match="temporal must be"):
        module.sequence_model((12, 12), temporal="transformer")
    with pytest.raises(ValueError, match="frame_shape must be"):
        module.sequence_model((12, 12, 1))
    with pytest.raises(ValueError, match="task is 'binary'"):
        module.fit_sequences(_model(module, "regression"), _tiny_sequences("binary"), epochs=1, verbose=False)
    with pytest.raises(TypeError, match="images must be uint8"):
        module.predict_sequences(_model(module, "regression"), np.zeros((1, 4, 12, 12), dtype=np.float32))


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_rnn_from_numpy_refuses_mismatched_weights(framework):
    with pytest.raises(ValueError, match="W_hh must have shape"):
        FRAMEWORKS[framework].rnn_from_numpy(np.zeros((4, 3)), np.zeros((3, 3)), np.zeros(4))


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("temporal", ["lstm", "rnn", "mean"])
def test_every_temporal_choice_gives_one_output_per_sequence(framework, temporal):
    module = FRAMEWORKS[framework]
    frames = _tiny_sequences("regression").test[0]
    assert module.predict_sequences(_model(module, "regression", temporal), frames).shape == (len(frames),)
