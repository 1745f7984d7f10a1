"""Specification of medcourse.conv: the integral, the discrete convolutions and their contracts."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from medcourse import conv
from medcourse.conv import algorithms

SETTINGS = settings(max_examples=60, deadline=None)
METHODS = ("loop", "vectorized", "fft", "auto")


# --- the convolution integral ---------------------------------------------------------------------


def test_box_convolved_with_box_is_a_triangle():
    t = np.linspace(-1.5, 1.5, 31)
    result = conv.convolve_continuous(conv.box, conv.box, t, support=(-0.5, 0.5), g_support=(-0.5, 0.5))
    np.testing.assert_allclose(result, np.clip(1 - np.abs(t), 0, None), atol=1e-9)


def test_box_convolved_with_box_without_hints_is_still_a_triangle_thanks_to_breakpoints():
    t = np.array([-0.7, 0.0, 0.3, 0.9])
    result = conv.convolve_continuous(conv.box, conv.box, t, breakpoints=(-0.5, 0.5), g_breakpoints=(-0.5, 0.5),
                                      support=(-5, 5))
    np.testing.assert_allclose(result, 1 - np.abs(t), atol=1e-9)


@pytest.mark.parametrize(("sigma_1", "sigma_2"), [(1.0, 1.0), (0.3, 2.0), (1.5, 0.5)])
def test_gaussian_convolved_with_gaussian_adds_variances(sigma_1, sigma_2):
    t = np.linspace(-4, 4, 9)
    result = conv.convolve_continuous(lambda x: conv.gaussian(x, sigma_1), lambda x: conv.gaussian(x, sigma_2), t)
    np.testing.assert_allclose(result, conv.gaussian(t, np.hypot(sigma_1, sigma_2)), rtol=1e-7, atol=1e-12)


def test_exponential_decay_convolved_with_box_matches_closed_form():
    time_constant, width = 0.7, 1.0
    t = np.linspace(-1.0, 4.0, 26)
    result = conv.convolve_continuous(lambda x: conv.exponential_decay(x, time_constant), conv.box, t,
                                      support=(0, np.inf), g_support=(-width / 2, width / 2),
                                      breakpoints=(0.0,))
    # ∫ over τ in [t − w/2, t + w/2] ∩ [0, ∞) of e^(−τ/T) dτ
    low, high = np.clip(t - width / 2, 0, None), np.clip(t + width / 2, 0, None)
    expected = time_constant * (np.exp(-low / time_constant) - np.exp(-high / time_constant))
    np.testing.assert_allclose(result, expected, atol=1e-10)


def test_convolve_continuous_returns_float_for_scalar_and_array_of_the_shape_of_t():
    assert isinstance(conv.convolve_continuous(conv.gaussian, conv.gaussian, 0.0), float)
    assert conv.convolve_continuous(conv.gaussian, conv.gaussian, np.zeros((2, 3))).shape == (2, 3)


def test_convolve_continuous_is_zero_where_supports_do_not_overlap():
    assert conv.convolve_continuous(conv.box, conv.box, 3.0, support=(-0.5, 0.5), g_support=(-0.5, 0.5)) == 0.0


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"f": 3.0}, "f"), ({"g": "box"}, "g"), ({"t": "soon"}, "t"), ({"t": np.nan}, "t"),
    ({"support": (1, 0)}, "support"), ({"g_support": (0,)}, "g_support"), ({"breakpoints": [np.inf]}, "breakpoints"),
])
def test_convolve_continuous_errors_name_the_argument(kwargs, name):
    arguments = {"f": conv.box, "g": conv.box, "t": 0.0} | kwargs
    with pytest.raises((TypeError, ValueError), match=name):
        conv.convolve_continuous(arguments.pop("f"), arguments.pop("g"), arguments.pop("t"), **arguments)


def test_riemann_sum_converges_with_order_one_at_a_jump():
    def f(x):
        return conv.exponential_decay(x, 1.0)

    def g(x):
        return conv.gaussian(x, 0.5)

    exact = conv.convolve_continuous(f, g, 1.0, support=(0, np.inf), breakpoints=(0.0,))
    steps = 2.0 ** -np.arange(3, 10)
    errors = [abs(conv.riemann_convolution(f, g, 1.0, step, interval=(0.0, 20.0)) - exact) for step in steps]
    assert conv.convergence_order(steps, errors) == pytest.approx(1.0, abs=0.1)


def test_riemann_sum_is_the_discrete_convolution_of_samples_times_step():
    step = 0.1
    tau = np.arange(0, 40) * step

    def f(x):
        return conv.exponential_decay(x, 1.0)

    def g(x):
        return conv.box(x - 1.0, 1.0)

    samples = step * np.convolve(f(tau), g(tau))
    assert conv.riemann_convolution(f, g, 25 * step, step, interval=(0.0, 4.0)) == pytest.approx(samples[25])


# --- 1-D and 2-D discrete convolution -------------------------------------------------------------

lengths = st.integers(1, 12)


@SETTINGS
@given(n=lengths, m=lengths, mode=st.sampled_from(conv.MODES), seed=st.integers(0, 2**16))
def test_conv1d_equals_numpy_convolve_for_all_modes(n, m, mode, seed):
    rng = np.random.default_rng(seed)
    x, h = rng.standard_normal(n), rng.standard_normal(m)
    np.testing.assert_allclose(conv.conv1d(x, h, mode), np.convolve(x, h, mode), atol=1e-12)


def shapes_that_scipy_accepts(mode):
    """Images and kernels of 1…9 pixels per side; for 'valid' one must contain the other (as SciPy requires)."""
    sides = st.tuples(st.integers(1, 9), st.integers(1, 9))
    pairs = st.tuples(sides, sides)
    if mode != "valid":
        return pairs
    return pairs.filter(lambda p: all(a >= b for a, b in zip(*p, strict=True))
                        or all(a <= b for a, b in zip(*p, strict=True)))


@st.composite
def convolution_problems(draw):
    mode = draw(st.sampled_from(conv.MODES))
    image_shape, kernel_shape = draw(shapes_that_scipy_accepts(mode))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return rng.standard_normal(image_shape), rng.standard_normal(kernel_shape), mode, draw(st.sampled_from(METHODS))


@SETTINGS
@given(problem=convolution_problems())
def test_conv2d_equals_scipy_convolve2d_for_all_modes_shapes_and_methods(problem):
    image, kernel, mode, method = problem
    expected = signal.convolve2d(image, kernel, mode)
    result = conv.conv2d(image, kernel, mode, method=method)
    assert result.shape == expected.shape
    np.testing.assert_allclose(result, expected, atol=1e-10)


@SETTINGS
@given(problem=convolution_problems())
def test_correlate2d_equals_scipy_correlate2d_for_all_modes_shapes_and_methods(problem):
    image, kernel, mode, method = problem
    expected = signal.correlate2d(image, kernel, mode)
    result = conv.correlate2d(image, kernel, mode, method=method)
    assert result.shape == expected.shape
    np.testing.assert_allclose(result, expected, atol=1e-10)


@pytest.mark.parametrize("size", [2, 4])
def test_same_mode_with_even_kernel_uses_scipys_centre(size):
    image = np.zeros((7, 7))
    image[3, 3] = 1.0
    kernel = np.arange(size * size, dtype=float).reshape(size, size)
    np.testing.assert_array_equal(conv.conv2d(image, kernel, "same"), signal.convolve2d(image, kernel, "same"))
    np.testing.assert_array_equal(conv.correlate2d(image, kernel, "same"),
                                  signal.correlate2d(image, kernel, "same"))


def test_conv2d_is_correlate2d_with_the_kernel_flipped():
    rng = np.random.default_rng(0)
    image, kernel = rng.standard_normal((12, 10)), rng.standard_normal((3, 4))
    for mode in ("full", "valid"):
        np.testing.assert_allclose(conv.conv2d(image, kernel, mode), conv.correlate2d(image, kernel[::-1, ::-1], mode))


def test_fft_method_matches_on_a_ct_sized_image_with_a_large_kernel():
    rng = np.random.default_rng(1)
    image, kernel = rng.standard_normal((64, 80)), rng.standard_normal((31, 31))
    np.testing.assert_allclose(conv.conv2d(image, kernel, "same", method="fft"),
                               signal.convolve2d(image, kernel, "same"), atol=1e-9)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: conv.conv2d(np.ones(5), np.ones((3, 3))), r"image must be 2-D, got shape \(5,\)"),
    (lambda: conv.conv2d(np.ones((5, 5)), np.ones((3, 3, 1))), r"kernel must be 2-D"),
    (lambda: conv.correlate2d(np.ones((0, 5)), np.ones((3, 3))), r"image must not be empty"),
    (lambda: conv.correlate2d(np.ones((5, 5)), np.ones((3, 0))), r"kernel must not be empty"),
    (lambda: conv.conv2d(np.ones((5, 5)), np.ones((3, 3)), "circular"), r"mode must be one of"),
    (lambda: conv.conv2d(np.ones((5, 5)), np.ones((3, 3)), method="magic"), r"method must be one of"),
    (lambda: conv.conv2d(np.ones((3, 6)), np.ones((5, 4)), "valid"), r"at least as large"),
    (lambda: conv.conv1d(np.ones((2, 2)), np.ones(3)), r"signal must be 1-D"),
    (lambda: conv.conv1d(np.ones(4), [], "same"), r"kernel must not be empty"),
])
def test_bad_input_is_refused_with_a_message_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_complex_input_is_refused():
    with pytest.raises(TypeError, match="image must hold real numbers"):
        conv.conv2d(np.ones((3, 3)) * 1j, np.ones((2, 2)))


def test_british_spelling_of_vectorised_is_accepted():
    image, kernel = np.eye(4), np.ones((2, 2))
    np.testing.assert_array_equal(conv.conv2d(image, kernel, method="vectorised"), signal.convolve2d(image, kernel, "valid"))


# --- output size ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("arguments", "expected"), [
    ((28, 3), 26), ((28, 3, 1, 1, 1), 28), ((28, 3, 1, 2, 1), 14), ((7, 3, 0, 1, 2), 3), ((8, 2, 0, 3, 1), 3),
])
def test_output_size_follows_the_formula(arguments, expected):
    n, k, *rest = arguments
    padding, stride, dilation = rest or (0, 1, 1)
    assert conv.output_size(n, k, padding=padding, stride=stride, dilation=dilation) == expected


@SETTINGS
@given(n=st.integers(1, 20), k=st.integers(1, 5), padding=st.integers(0, 3), stride=st.integers(1, 3),
       dilation=st.integers(1, 3))
def test_output_size_counts_the_positions_a_strided_dilated_correlation_visits(n, k, padding, stride, dilation):
    span = dilation * (k - 1) + 1
    if n + 2 * padding < span:
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv.output_size(n, k, padding=padding, stride=stride, dilation=dilation)
        return
    dilated = np.zeros(span)
    dilated[::dilation] = 1.0
    positions = conv.correlate2d(np.ones((1, n + 2 * padding)), dilated[None, :], "valid")[0, ::stride]
    assert conv.output_size(n, k, padding=padding, stride=stride, dilation=dilation) == positions.size


def test_output_size_same_padding_is_ceil_of_n_over_stride():
    assert [conv.output_size(10, 3, padding="same", stride=s) for s in (1, 2, 3, 4)] == [10, 5, 4, 3]
    assert conv.output_size(10, 3, padding="valid") == 8


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"n": 0}, "n"), ({"k": 2.5}, "k"), ({"padding": -1}, "padding"), ({"padding": "full"}, "padding"),
    ({"stride": 0}, "stride"), ({"dilation": True}, "dilation"),
])
def test_output_size_errors_name_the_argument(kwargs, name):
    arguments = {"n": 10, "k": 3} | kwargs
    with pytest.raises(ValueError, match=name):
        conv.output_size(arguments.pop("n"), arguments.pop("k"), **arguments)


# --- kernels and timing ---------------------------------------------------------------------------


def test_smoothing_kernels_sum_to_one_and_edge_kernels_to_zero():
    assert conv.box_kernel(5).sum() == pytest.approx(1.0)
    assert conv.gaussian_kernel(1.5).sum() == pytest.approx(1.0)
    assert conv.gaussian_kernel(1.5).shape == (11, 11)
    assert conv.sobel_kernel("x").sum() == 0 and conv.sobel_kernel("y").sum() == 0
    assert conv.laplacian_kernel().sum() == 0


def test_sobel_x_convolved_with_a_rightward_ramp_is_positive():
    ramp = np.tile(np.arange(6.0), (6, 1))
    assert np.all(conv.conv2d(ramp, conv.sobel_kernel("x"), "valid") == 8.0)
    assert np.all(conv.conv2d(ramp.T, conv.sobel_kernel("y"), "valid") == 8.0)


def test_timing_table_has_a_row_per_method_and_a_column_per_kernel_size():
    image = np.random.default_rng(0).standard_normal((24, 24))
    timings = conv.timing_table(image, (3, 5), extra={"numpy copy": lambda x, k: x.copy()}, loop_crop=8, repeat=1)
    assert set(timings) == {"loop (scaled from crop)", "vectorized", "fft", "scipy.signal.convolve2d", "numpy copy"}
    assert all(set(row) == {3, 5} and all(s > 0 for s in row.values()) for row in timings.values())
    text = conv.format_timings(timings, title="24×24")
    assert "5×5" in text and "numpy copy" in text and text.startswith("24×24")


def test_importing_medcourse_conv_imports_no_framework():
    code = "import sys, medcourse.conv, medcourse.widgets; print('tensorflow' in sys.modules or 'torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


@pytest.mark.parametrize(("call", "name"), [
    (lambda: conv.riemann_convolution(conv.box, conv.box, 0.0, 0.1, interval=(0, np.inf)), "interval"),
    (lambda: conv.riemann_convolution(conv.box, conv.box, 0.0, 0.0, interval=(0, 1)), "step"),
    (lambda: conv.riemann_convolution(conv.box, None, 0.0, 0.1, interval=(0, 1)), "g"),
    (lambda: conv.convergence_order([0.1, 0.01], [1e-2]), "steps and errors"),
    (lambda: conv.convergence_order([0.1, 0.01], [1e-2, 0.0]), "positive"),
    (lambda: conv.gaussian_kernel(0.0), "sigma"),
    (lambda: conv.box_kernel(0), "size"),
    (lambda: conv.sobel_kernel("z"), "axis"),
])
def test_helpers_refuse_bad_input_naming_the_argument(call, name):
    with pytest.raises((TypeError, ValueError), match=name):
        call()


def test_conv2d_accepts_nested_lists_of_integers_and_returns_float64():
    result = conv.conv2d([[1, 2], [3, 4]], [[1]], "same")
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result, [[1.0, 2.0], [3.0, 4.0]])


# --- what libraries do: im2col + GEMM, Winograd, and where a 'valid' output sits ------------------------------


@SETTINGS
@given(rows=st.integers(3, 12), columns=st.integers(3, 12), kernel_rows=st.integers(1, 3),
       kernel_columns=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_correlation_as_one_matrix_product_equals_scipy(rows, columns, kernel_rows, kernel_columns, seed):
    rng = np.random.default_rng(seed)
    image, kernel = rng.normal(size=(rows, columns)), rng.normal(size=(kernel_rows, kernel_columns))
    np.testing.assert_allclose(conv.correlate2d_gemm(image, kernel), signal.correlate2d(image, kernel, "valid"),
                               atol=1e-12)


def test_im2col_puts_each_patch_in_one_column_in_row_major_order():
    image = np.arange(20.0).reshape(4, 5)
    matrix = conv.im2col(image, (2, 3))
    assert matrix.shape == (6, 3 * 3)
    np.testing.assert_array_equal(matrix[:, 1 * 3 + 2], image[1:3, 2:5].ravel())  # patch at (1, 2)


def test_im2col_is_the_frameworks_patch_extraction(twin):
    image = np.random.default_rng(1).normal(size=(6, 7)).astype(np.float32)
    if twin.name == "pytorch":
        patches = twin.torch.nn.functional.unfold(twin.torch.from_numpy(image)[None, None], (3, 2))[0].numpy()
    else:  # TensorFlow returns (1, H', W', kH·kW): one patch per output pixel, read row by row
        extracted = twin.tf.image.extract_patches(image[None, :, :, None], sizes=[1, 3, 2, 1], strides=[1] * 4,
                                                  rates=[1] * 4, padding="VALID")
        patches = extracted.numpy().reshape(-1, 3 * 2).T
    np.testing.assert_array_equal(conv.im2col(image, (3, 2)), patches)


@SETTINGS
@given(rows=st.integers(3, 13), columns=st.integers(3, 13), seed=st.integers(0, 2**16))
def test_winograd_f2x2_3x3_equals_the_direct_correlation_for_odd_and_even_sizes(rows, columns, seed):
    rng = np.random.default_rng(seed)
    image, kernel = rng.normal(size=(rows, columns)), rng.normal(size=(3, 3))
    np.testing.assert_allclose(conv.winograd_correlate2d(image, kernel), signal.correlate2d(image, kernel, "valid"),
                               atol=1e-10)


def test_winograd_transforms_compute_two_outputs_of_a_three_tap_filter_from_four_products():
    d, g = np.array([1.0, 4.0, -2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    products = (algorithms.WINOGRAD_G @ g) * (algorithms.WINOGRAD_BT @ d)
    assert products.size == 4  # against 2 × 3 = 6 for the direct sum
    np.testing.assert_allclose(algorithms.WINOGRAD_AT @ products, np.correlate(d, g, "valid"))


@pytest.mark.parametrize(("call", "message"), [
    (lambda: conv.winograd_correlate2d(np.ones((5, 5)), np.ones((2, 2))), "kernel must be 3×3"),
    (lambda: conv.correlate2d_gemm(np.ones((2, 2)), np.ones((3, 3))), "does not fit"),
    (lambda: conv.im2col(np.ones(4), (2, 2)), "image must be 2-D"),
])
def test_the_algorithms_refuse_bad_input_naming_it(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("kernel_length", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("flipped", [False, True])
def test_valid_output_is_the_same_output_shifted_by_valid_offset(kernel_length, flipped):
    rng = np.random.default_rng(kernel_length)
    image, kernel = rng.normal(size=(9, 10)), rng.normal(size=(kernel_length, kernel_length))
    scipy_function = signal.convolve2d if flipped else signal.correlate2d
    valid, same = scipy_function(image, kernel, "valid"), scipy_function(image, kernel, "same")
    offset = conv.valid_offset(kernel_length, flipped=flipped)
    np.testing.assert_allclose(valid, same[offset:offset + valid.shape[0], offset:offset + valid.shape[1]])
