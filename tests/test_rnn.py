"""medcourse.rnn (the NumPy cell, unrolling, backprop through time) against PyTorch and Keras, and both
frameworks' recurrent models: the lecture notes' RNN, sequence models, training that learns, determinism."""

import os

import numpy as np
import pytest
from twins import load_twin

import medcourse
from medcourse import rnn
from medcourse.data import Dataset
from medcourse.training import History

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BATCH, STEPS, INPUT, HIDDEN = 3, 6, 4, 5


@pytest.fixture
def parameters():
    rng = np.random.default_rng(0)
    return {
        "x": rng.normal(size=(BATCH, STEPS, INPUT)),
        "h0": rng.normal(size=(BATCH, HIDDEN)) * 0.5,
        "W_xh": rng.normal(size=(HIDDEN, INPUT)) * 0.5,
        "W_hh": rng.normal(size=(HIDDEN, HIDDEN)) * 0.4,
        "b_h": rng.normal(size=HIDDEN) * 0.1,
    }


def test_rnn_cell_is_the_column_vector_equation_applied_to_every_row(parameters):
    p = parameters
    x_t, h_prev = p["x"][:, 0], p["h0"]
    batch = rnn.rnn_cell(x_t, h_prev, p["W_xh"], p["W_hh"], p["b_h"])
    for row in range(BATCH):
        column = np.tanh(p["W_hh"] @ h_prev[row] + p["W_xh"] @ x_t[row] + p["b_h"])
        np.testing.assert_allclose(batch[row], column, rtol=1e-12)


def test_rnn_forward_applies_the_cell_step_by_step(parameters):
    p = parameters
    states = rnn.rnn_forward(p["x"], p["h0"], p["W_xh"], p["W_hh"], p["b_h"])
    h = p["h0"]
    for t in range(STEPS):
        h = rnn.rnn_cell(p["x"][:, t], h, p["W_xh"], p["W_hh"], p["b_h"])
        np.testing.assert_array_equal(states[:, t], h)


def test_rnn_forward_starts_from_zeros_when_h0_is_none(parameters):
    p = parameters
    zeros = np.zeros((BATCH, HIDDEN))
    np.testing.assert_array_equal(rnn.rnn_forward(p["x"], None, p["W_xh"], p["W_hh"], p["b_h"]),
                                  rnn.rnn_forward(p["x"], zeros, p["W_xh"], p["W_hh"], p["b_h"]))


def test_rnn_forward_equals_torch_rnn_and_rnncell(parameters):
    torch = pytest.importorskip("torch")
    from medcourse.pytorch import rnn as sequences

    p = parameters
    expected = rnn.rnn_forward(p["x"], p["h0"], p["W_xh"], p["W_hh"], p["b_h"])
    layer = sequences.rnn_from_numpy(p["W_xh"], p["W_hh"], p["b_h"])
    with torch.no_grad():
        states, last = layer(torch.as_tensor(p["x"], dtype=torch.float32),
                             torch.as_tensor(p["h0"], dtype=torch.float32)[None])
    assert np.max(np.abs(states.numpy() - expected)) <= 1e-5
    np.testing.assert_allclose(last[0].numpy(), expected[:, -1], atol=1e-5)
    cell = torch.nn.RNNCell(INPUT, HIDDEN)  # two biases: bias_ih + bias_hh must add up to b_h
    with torch.no_grad():
        cell.weight_ih.copy_(torch.as_tensor(p["W_xh"]))
        cell.weight_hh.copy_(torch.as_tensor(p["W_hh"]))
        cell.bias_ih.copy_(torch.as_tensor(p["b_h"] / 2))
        cell.bias_hh.copy_(torch.as_tensor(p["b_h"] / 2))
        one_step = cell(torch.as_tensor(p["x"][:, 0], dtype=torch.float32), torch.as_tensor(p["h0"], dtype=torch.float32))
    assert np.max(np.abs(one_step.numpy() - expected[:, 0])) <= 1e-5


def test_rnn_forward_equals_keras_simple_rnn_and_cell(parameters):
    pytest.importorskip("tensorflow")
    from tensorflow import keras

    from medcourse.tensorflow import rnn as sequences

    p = parameters
    expected = rnn.rnn_forward(p["x"], p["h0"], p["W_xh"], p["W_hh"], p["b_h"])
    layer = sequences.rnn_from_numpy(p["W_xh"], p["W_hh"], p["b_h"])
    states = layer(p["x"].astype("float32"), initial_state=[p["h0"].astype("float32")]).numpy()
    assert np.max(np.abs(states - expected)) <= 1e-5
    cell = keras.layers.SimpleRNNCell(HIDDEN)
    cell.build((None, INPUT))
    cell.set_weights([p["W_xh"].T, p["W_hh"].T, p["b_h"]])  # Keras stores the transposes
    output, _ = cell(p["x"][:, 0].astype("float32"), [p["h0"].astype("float32")])
    assert np.max(np.abs(output.numpy() - expected[:, 0])) <= 1e-5


def test_rnn_backward_equals_torch_autograd(parameters):
    torch = pytest.importorskip("torch")
    p = parameters
    upstream = np.random.default_rng(1).normal(size=(BATCH, STEPS, HIDDEN))
    grads = rnn.rnn_backward(p["x"], p["h0"], p["W_xh"], p["W_hh"], p["b_h"], upstream)
    tensors = {name: torch.tensor(value, requires_grad=True) for name, value in p.items()}
    h, states = tensors["h0"], []
    for t in range(STEPS):
        h = torch.tanh(h @ tensors["W_hh"].T + tensors["x"][:, t] @ tensors["W_xh"].T + tensors["b_h"])
        states.append(h)
    (torch.stack(states, 1) * torch.as_tensor(upstream)).sum().backward()
    for name in ("W_xh", "W_hh", "b_h", "h0", "x"):
        np.testing.assert_allclose(grads[name], tensors[name].grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_rnn_backward_equals_tensorflow_gradient_tape(parameters):
    tf = pytest.importorskip("tensorflow")
    p = parameters
    upstream = np.zeros((BATCH, STEPS, HIDDEN))
    upstream[:, -1] = 1.0  # a loss on the last state only: everything else flows back through time
    grads = rnn.rnn_backward(p["x"], p["h0"], p["W_xh"], p["W_hh"], p["b_h"], upstream)
    variables = {name: tf.Variable(value) for name, value in p.items()}
    with tf.GradientTape() as tape:
        h = variables["h0"]
        for t in range(STEPS):
            h = tf.tanh(h @ tf.transpose(variables["W_hh"]) + variables["x"][:, t] @ tf.transpose(variables["W_xh"])
                        + variables["b_h"])
        loss = tf.reduce_sum(h)
    tape_grads = tape.gradient(loss, variables)
    for name in ("W_xh", "W_hh", "b_h", "h0", "x"):
        np.testing.assert_allclose(grads[name], tape_grads[name].numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_jacobian_norms_shrink_below_and_grow_above_spectral_radius_one():
    rng = np.random.default_rng(0)
    orthogonal = np.linalg.qr(rng.normal(size=(8, 8)))[0]
    x = np.zeros((2, 20, 3))
    small = rnn.jacobian_norms(x, None, np.zeros((8, 3)), rnn.with_spectral_radius(orthogonal, 0.8), np.zeros(8))
    large = rnn.jacobian_norms(x, None, np.zeros((8, 3)), rnn.with_spectral_radius(orthogonal, 1.2), np.zeros(8))
    np.testing.assert_allclose(small, 0.8 ** np.arange(1, 21), rtol=1e-9)
    np.testing.assert_allclose(large, 1.2 ** np.arange(1, 21), rtol=1e-9)


def test_largest_singular_value_bounds_the_spectral_radius_and_equals_it_for_normal_matrices():
    rng = np.random.default_rng(3)
    for _ in range(20):
        matrix = rng.normal(size=(6, 6))
        assert rnn.spectral_radius(matrix) <= rnn.largest_singular_value(matrix) * (1 + 1e-12)
        symmetric, orthogonal = matrix + matrix.T, np.linalg.qr(matrix)[0]
        assert rnn.largest_singular_value(symmetric) == pytest.approx(rnn.spectral_radius(symmetric), rel=1e-10)
        assert rnn.largest_singular_value(0.7 * orthogonal) == pytest.approx(0.7, rel=1e-12)
    assert rnn.largest_singular_value(np.array([[0.5, 3.0], [0.0, 0.5]])) == pytest.approx(3.0811, abs=1e-4)


def test_jacobian_norms_never_exceed_the_largest_singular_value_to_the_power_t(parameters):
    p = parameters
    for scale in (0.3, 0.8, 1.5):
        W_hh = scale * p["W_hh"] / rnn.largest_singular_value(p["W_hh"])
        norms = rnn.jacobian_norms(p["x"], p["h0"], p["W_xh"], W_hh, p["b_h"])
        assert np.all(norms <= scale ** np.arange(1, STEPS + 1) * (1 + 1e-9))


def test_a_non_normal_w_hh_with_spectral_radius_below_one_first_grows_the_gradient_then_loses_it():
    W_hh = 0.85 * np.eye(4) + 1.5 * np.kron(np.eye(2), [[0.0, 1.0], [0.0, 0.0]])
    assert rnn.spectral_radius(W_hh) < 1 < rnn.largest_singular_value(W_hh)
    x = 0.1 * np.random.default_rng(0).normal(size=(3, 50, 2))
    norms = rnn.jacobian_norms(x, None, np.full((4, 2), 0.5), W_hh, np.zeros(4))
    assert norms[:8].max() > 2 and norms[-1] < 0.05


def test_exercise_5_matrices_share_their_spectral_radius_but_only_a_bounds_every_step():
    from medcourse.exercises import nb07

    A, B = nb07.Q5_MATRICES["A"], nb07.Q5_MATRICES["B"]
    assert rnn.spectral_radius(A) == rnn.spectral_radius(B) == 0.5
    x = np.zeros((1, 3, 1))
    grows = rnn.jacobian_norms(x, None, np.zeros((2, 1)), B, np.zeros(2))  # the tanh slope is 1 at h = 0
    assert grows[0] > 1 and np.all(rnn.jacobian_norms(x, None, np.zeros((2, 1)), A, np.zeros(2)) < 1)
    assert nb07.q5.verdict("A") is None and nb07.q5.verdict("B") is not None


def test_gate_weight_mappings_refuse_arrays_that_do_not_stack_their_gates():
    with pytest.raises(ValueError, match="weight_ih must stack 3 gates"):
        rnn.gru_weights_for_keras(np.zeros((7, 2)), np.zeros((6, 2)), np.zeros(6), np.zeros(6))
    with pytest.raises(ValueError, match="bias_hh must stack 4 gates"):
        rnn.lstm_weights_for_keras(np.zeros((8, 2)), np.zeros((8, 2)), np.zeros(8), np.zeros(6))


def test_keras_gru_and_lstm_equal_pytorchs_with_the_mapped_weights(parameters):
    pytorch, tensorflow = load_twin("pytorch"), load_twin("tensorflow")
    torch, keras = pytorch.torch, tensorflow.keras
    x = parameters["x"]
    for kind, mapping in (("GRU", rnn.gru_weights_for_keras), ("LSTM", rnn.lstm_weights_for_keras)):
        torch.manual_seed(1)
        torch_layer = getattr(torch.nn, kind)(INPUT, HIDDEN, batch_first=True, dtype=torch.float64)
        with torch.no_grad():
            for parameter in torch_layer.parameters():  # biases too: the two GRU biases do not simply add up
                parameter.uniform_(-0.8, 0.8)
            expected = torch_layer(torch.as_tensor(x))[0].numpy()
        keras_layer = getattr(keras.layers, kind)(HIDDEN, return_sequences=True, dtype="float64",
                                                  **({"reset_after": True} if kind == "GRU" else {}))
        keras_layer.build((None, STEPS, INPUT))
        weights = [getattr(torch_layer, f"{name}_l0").detach().numpy()
                   for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
        keras_layer.set_weights(mapping(*weights))
        np.testing.assert_allclose(keras_layer(x).numpy(), expected, rtol=0, atol=1e-12, err_msg=kind)
        if kind == "GRU":  # summing the two biases, as for the LSTM, would be wrong for the GRU's candidate
            wrong = mapping(*weights)
            wrong[2] = np.stack([wrong[2].sum(axis=0), np.zeros(3 * HIDDEN)])
            keras_layer.set_weights(wrong)
            assert np.abs(keras_layer(x).numpy() - expected).max() > 1e-3


def test_jacobian_norms_agree_with_torch_forward_mode(parameters):
    torch = pytest.importorskip("torch")
    from medcourse.pytorch import rnn as sequences

    p = parameters
    cell = torch.nn.RNNCell(INPUT, HIDDEN).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.as_tensor(p["W_xh"]))
        cell.weight_hh.copy_(torch.as_tensor(p["W_hh"]))
        cell.bias_ih.copy_(torch.as_tensor(p["b_h"]))
        cell.bias_hh.zero_()
    expected = rnn.jacobian_norms(p["x"], p["h0"], p["W_xh"], p["W_hh"], p["b_h"])
    np.testing.assert_allclose(sequences.state_jacobian_norms(cell, p["x"], p["h0"]), expected, rtol=1e-9)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"W_hh": np.zeros((HIDDEN, HIDDEN + 1))}, "W_hh must have shape"),
        ({"W_xh": np.zeros(HIDDEN)}, "W_xh must be 2-D"),
        ({"b_h": np.zeros(HIDDEN + 1)}, "b_h must have shape"),
        ({"h0": np.zeros((BATCH, HIDDEN + 2))}, "h0 must have shape"),
        ({"x": np.zeros((BATCH, STEPS, INPUT + 1))}, "x must have shape"),
        ({"x": np.zeros((BATCH, INPUT))}, "x must be 3-D"),
    ],
)
def test_mismatched_shapes_are_refused_naming_the_argument(parameters, change, message):
    p = {**parameters, **change}
    with pytest.raises(ValueError, match=message):
        rnn.rnn_forward(p["x"], p["h0"], p["W_xh"], p["W_hh"], p["b_h"])


def test_rnn_cell_names_x_t_and_h_prev_in_its_errors(parameters):
    p = parameters
    with pytest.raises(ValueError, match="x_t must have shape"):
        rnn.rnn_cell(np.zeros((BATCH, INPUT + 1)), p["h0"], p["W_xh"], p["W_hh"], p["b_h"])
    with pytest.raises(ValueError, match="h_prev must have shape"):
        rnn.rnn_cell(p["x"][:, 0], np.zeros((BATCH + 1, HIDDEN)), p["W_xh"], p["W_hh"], p["b_h"])


def test_rnn_backward_refuses_a_gradient_of_the_wrong_shape(parameters):
    p = parameters
    with pytest.raises(ValueError, match="grad_states must have shape"):
        rnn.rnn_backward(p["x"], p["h0"], p["W_xh"], p["W_hh"], p["b_h"], np.zeros((BATCH, STEPS, HIDDEN + 1)))


def test_rnn_widgets_draw_headless_and_the_explorer_builds(parameters):
    import ipywidgets
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from medcourse.widgets import draw_rnn_steps, draw_unrolled, rnn_explorer

    p = parameters
    states = rnn.rnn_forward(p["x"], None, p["W_xh"], p["W_hh"], p["b_h"])
    assert draw_unrolled(3).axes
    assert len(draw_rnn_steps(p["x"][0], states[0], t=STEPS).axes) == 4  # input, heat map (+ colour bar), h_t
    with pytest.raises(ValueError, match="t must be an integer from 1 to T"):
        draw_rnn_steps(p["x"][0], states[0], t=STEPS + 1)
    assert isinstance(rnn_explorer(p["x"][0], p["W_xh"], p["W_hh"], p["b_h"]), ipywidgets.interactive)
    plt.close("all")


def test_enhancement_curves_are_reproducible_and_cover_the_three_kinetic_types():
    curves, labels = rnn.enhancement_curves(60, seed=3)
    again, same_labels = rnn.enhancement_curves(60, seed=3)
    np.testing.assert_array_equal(curves, again)
    np.testing.assert_array_equal(labels, same_labels)
    assert curves.shape == (60, 12, 1) and set(labels.tolist()) == {0, 1, 2}
    late_minus_peak = curves[:, -1, 0] - curves[:, 5, 0]
    assert late_minus_peak[labels == 2].mean() < late_minus_peak[labels == 0].mean()  # washout falls, persistent rises


def test_state_jacobian_norms_agree_between_the_frameworks_for_every_cell(parameters):
    pytorch, tensorflow = load_twin("pytorch"), load_twin("tensorflow")
    torch, keras = pytorch.torch, tensorflow.keras
    p = parameters
    for kind in ("RNN", "GRU", "LSTM"):
        torch_cell = getattr(torch.nn, f"{kind}Cell")(INPUT, HIDDEN).double()
        keras_cell = getattr(keras.layers, {"RNN": "SimpleRNNCell"}.get(kind, f"{kind}Cell"))(
            HIDDEN, dtype="float64", **({"reset_after": True} if kind == "GRU" else {}))
        keras_cell.build((None, INPUT))
        _copy_cell(torch_cell, keras_cell, kind)
        state = p["h0"]
        expected = pytorch.rnn.state_jacobian_norms(torch_cell, p["x"], state)
        np.testing.assert_allclose(tensorflow.rnn.state_jacobian_norms(keras_cell, p["x"], state), expected,
                                   rtol=1e-9, err_msg=kind)


def _copy_cell(torch_cell, keras_cell, kind):
    """PyTorch cell weights into the Keras cell: transposes, gate order and the two biases (one per side)."""
    weights = [getattr(torch_cell, name).detach().numpy() for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    if kind == "RNN":
        keras_cell.set_weights([weights[0].T, weights[1].T, weights[2] + weights[3]])
    else:
        keras_cell.set_weights({"GRU": rnn.gru_weights_for_keras, "LSTM": rnn.lstm_weights_for_keras}[kind](*weights))


def test_lecture_rnn_returns_log_probabilities_whose_rows_sum_to_one():
    torch = load_twin("pytorch").torch
    model = load_twin("pytorch").rnn.LectureRNN(3, 8, 4)
    output, hidden = model(torch.randn(5, 3), model.initHidden().repeat(5, 1))
    assert output.shape == (5, 4) and hidden.shape == (5, 8)
    assert torch.all(output <= 0)
    np.testing.assert_allclose(output.exp().sum(dim=1).detach().numpy(), 1.0, rtol=1e-6)
    assert torch.equal(model.initHidden(), torch.zeros(1, 8))


def test_keras_lecture_rnn_computes_what_the_pytorch_one_computes_with_the_same_weights():
    pytorch, tensorflow = load_twin("pytorch"), load_twin("tensorflow")
    torch = pytorch.torch
    torch_model = pytorch.rnn.LectureRNN(3, 8, 4)
    keras_model = tensorflow.rnn.LectureRNN(3, 8, 4)
    keras_model.i2h.set_weights([torch_model.i2h.weight.detach().numpy().T, torch_model.i2h.bias.detach().numpy()])
    keras_model.i2o.set_weights([torch_model.i2o.weight.detach().numpy().T, torch_model.i2o.bias.detach().numpy()])
    sequences = np.random.default_rng(0).normal(size=(5, 7, 3)).astype(np.float32)
    with torch.no_grad():
        expected = torch_model.read(torch.as_tensor(sequences)).numpy()
    np.testing.assert_allclose(keras_model.read(sequences).numpy(), expected, atol=1e-5)
    np.testing.assert_allclose(np.exp(expected).sum(axis=1), 1.0, rtol=1e-6)


def test_training_the_lecture_rnn_lowers_the_loss_and_repeats_with_the_same_seed(twin):
    module = twin.rnn
    curves, labels = rnn.enhancement_curves(96, steps=8, seed=0)
    runs = []
    for _ in range(2):
        medcourse.seed_everything(0)
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


@pytest.mark.parametrize("task", ["regression", "binary"])
def test_fit_sequences_lowers_the_training_loss(twin, task):
    module = twin.rnn
    dataset = _tiny_sequences(task)
    medcourse.seed_everything(0)
    history = module.fit_sequences(_model(module, task), dataset, epochs=4, batch_size=8, learning_rate=1e-2,
                                   verbose=False)
    assert isinstance(history, History) and history.task == task and history.framework == twin.name
    assert history.train["loss"][-1] < history.train["loss"][0]
    assert history.epochs == 4 and set(history.val) == set(history.metrics)


def test_the_same_seed_gives_the_same_predictions(twin):
    module = twin.rnn
    dataset = _tiny_sequences("regression")
    predictions = []
    for _ in range(2):
        medcourse.seed_everything(0)
        model = _model(module, "regression")
        module.fit_sequences(model, dataset, epochs=1, batch_size=8, seed=3, verbose=False)
        predictions.append(module.predict_sequences(model, dataset.test[0]))
    assert predictions[0].shape == (8,)
    np.testing.assert_array_equal(predictions[0], predictions[1])


@pytest.mark.parametrize("temporal", ["mean", "maxmin"])
def test_pooling_baselines_are_blind_to_the_order_of_frames(twin, temporal):
    module = twin.rnn
    frames = _tiny_sequences("regression").test[0]
    model = _model(module, "regression", temporal=temporal)
    forward = module.predict_sequences(model, frames)
    shuffled = frames[:, np.random.default_rng(0).permutation(frames.shape[1])]
    for reordered in (frames[:, ::-1], shuffled):
        np.testing.assert_allclose(module.predict_sequences(model, reordered), forward, rtol=1e-5, atol=1e-6)


def test_the_recurrent_model_reads_the_frames_in_order(twin):
    module = twin.rnn
    frames = _tiny_sequences("regression").test[0]
    medcourse.seed_everything(0)
    model = _model(module, "regression", temporal="gru")
    forward = module.predict_sequences(model, frames)
    assert np.abs(module.predict_sequences(model, frames[:, ::-1]) - forward).max() > 1e-4


def _volumes(seed: int = 0) -> Dataset:
    """8×8×8 volumes: a bright cube near the first slices (class 0) or near the last ones (class 1)."""
    rng = np.random.default_rng(seed)
    splits = {}
    for split, n in (("train", 32), ("val", 16), ("test", 16)):
        labels = rng.integers(0, 2, size=n)
        volumes = rng.integers(0, 40, size=(n, 8, 8, 8)).astype(np.uint8)
        for i, label in enumerate(labels):
            start = 4 if label else 0
            volumes[i, start:start + 3, 2:6, 2:6] = 220
        splits[split] = (volumes, labels.astype(np.int64))
    return Dataset("tiny volumes", splits["train"], splits["val"], splits["test"], ("early", "late"), "binary")


def test_slice_cnn_reads_only_the_middle_slice_and_volume_cnn_every_slice(twin):
    module = twin.rnn
    volumes = _volumes().test[0]
    medcourse.seed_everything(0)
    models = {"slice": module.slice_cnn((8, 8, 8), 2), "volume": module.volume_cnn((8, 8, 8), 2)}
    edited_elsewhere, edited_middle = volumes.copy(), volumes.copy()
    edited_elsewhere[:, [0, 1, 2, 3, 5, 6, 7]] = 255 - edited_elsewhere[:, [0, 1, 2, 3, 5, 6, 7]]  # all but slice 4
    edited_middle[:, 4] = 255 - edited_middle[:, 4]
    predictions = {name: [module.predict_sequences(model, v) for v in (volumes, edited_elsewhere, edited_middle)]
                   for name, model in models.items()}
    original, elsewhere, middle = predictions["slice"]
    assert original.shape == (16, 2)
    np.testing.assert_allclose(elsewhere, original, rtol=1e-6, atol=1e-7)
    assert np.abs(middle - original).max() > 1e-4
    original, elsewhere, _ = predictions["volume"]
    assert np.abs(elsewhere - original).max() > 1e-4


def test_volume_models_train_with_fit_sequences_and_count_the_same_weights_in_both_frameworks(twin):
    module = twin.rnn
    data = _volumes()
    def layers(kernel):  # conv 1→8, its batch norm (scale, shift), conv 8→16, its batch norm, dense 16→32→2
        return (kernel * 8 + 8) + 2 * 8 + (kernel * 8 * 16 + 16) + 2 * 16 + (16 * 32 + 32) + (32 * 2 + 2)

    expected = {"volume_cnn": layers(3 * 3 * 3), "slice_cnn": layers(3 * 3)}  # filters=8, hidden=32, both frameworks
    for builder in ("volume_cnn", "slice_cnn"):
        medcourse.seed_everything(0)
        model = getattr(module, builder)((8, 8, 8), 2)
        assert twin.trainable_count(model) == expected[builder]
        history = module.fit_sequences(model, data, epochs=3, batch_size=8, learning_rate=1e-2, verbose=False)
        assert isinstance(history, History) and history.task == "binary"
        assert history.train["loss"][-1] < history.train["loss"][0], builder


def test_volume_models_refuse_a_shape_that_is_not_three_sizes(twin):
    for builder in (twin.rnn.volume_cnn, twin.rnn.slice_cnn):
        with pytest.raises(ValueError, match=r"input_shape must be \(D, H, W\)"):
            builder((28, 28), 2)


def test_row_classifier_gives_one_logit_per_class(twin):
    module = twin.rnn
    model = module.row_classifier((28, 28, 1), 3, hidden=4)
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    probabilities = module.predict_sequences(model, images)
    assert probabilities.shape == (2, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)


def test_sequence_model_and_fit_refuse_wrong_inputs(twin):
    module = twin.rnn
    with pytest.raises(ValueError, match="temporal must be"):
        module.sequence_model((12, 12), temporal="transformer")
    with pytest.raises(ValueError, match="frame_shape must be"):
        module.sequence_model((12, 12, 1))
    with pytest.raises(ValueError, match="task is 'binary'"):
        module.fit_sequences(_model(module, "regression"), _tiny_sequences("binary"), epochs=1, verbose=False)
    with pytest.raises(TypeError, match="images must be uint8"):
        module.predict_sequences(_model(module, "regression"), np.zeros((1, 4, 12, 12), dtype=np.float32))


def test_rnn_from_numpy_refuses_mismatched_weights(twin):
    with pytest.raises(ValueError, match="W_hh must have shape"):
        twin.rnn.rnn_from_numpy(np.zeros((4, 3)), np.zeros((3, 3)), np.zeros(4))


@pytest.mark.parametrize("temporal", ["lstm", "rnn", "mean", "maxmin"])
def test_every_temporal_choice_gives_one_output_per_sequence(twin, temporal):
    module = twin.rnn
    frames = _tiny_sequences("regression").test[0]
    assert module.predict_sequences(_model(module, "regression", temporal), frames).shape == (len(frames),)
