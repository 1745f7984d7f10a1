"""Discrete convolution in 1-D and 2-D: a loop you can read, a vectorised version and an FFT version.

Conventions (the same as NumPy and SciPy):

* :func:`conv2d` is true convolution, y[i, j] = Σₘ Σₙ x[i − m, j − n] k[m, n] (the kernel is flipped);
  it equals :func:`scipy.signal.convolve2d`.
* :func:`correlate2d` is cross-correlation, y[i, j] = Σₘ Σₙ x[i + m, j + n] k[m, n] (no flip); it equals
  :func:`scipy.signal.correlate2d` and what ``torch.nn.functional.conv2d`` and ``tf.nn.conv2d`` compute.
* ``mode="full"`` keeps every overlap, ``"valid"`` only full overlaps, ``"same"`` the centre part of
  the size of ``image``. For an even kernel "the centre" is ambiguous; like SciPy, ``same``
  correlation pads (k − 1)//2 zeros before and k//2 after, convolution the other way round.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import fft as scipy_fft

from medcourse.conv._checks import as_real_array, check_choice, check_positive_int

MODES = ("full", "same", "valid")
METHODS = ("auto", "loop", "vectorized", "fft")
_METHOD_ALIASES = {"vectorised": "vectorized"}


# --- 1-D ------------------------------------------------------------------------------------------


def conv1d(signal: np.ndarray, kernel: np.ndarray, mode: str = "full") -> np.ndarray:
    """Discrete convolution y[n] = Σₖ x[k] h[n − k] of two 1-D sequences; equals :func:`numpy.convolve`.

    Parameters
    ----------
    signal, kernel : array_like, 1-D
        The sequences x and h. As in NumPy, the longer one plays the role of the signal.
    mode : {"full", "same", "valid"}
        Output length N + M − 1, max(N, M) or max(N, M) − min(N, M) + 1.

    Examples
    --------
    >>> conv1d([1, 2, 3], [0, 1, 0.5])
    array([0. , 1. , 2.5, 4. , 1.5])
    """
    x = as_real_array(signal, "signal", 1)
    h = as_real_array(kernel, "kernel", 1)
    check_choice(mode, "mode", MODES)
    if h.size > x.size:  # convolution is commutative; NumPy puts the longer sequence first
        x, h = h, x
    n, m = x.size, h.size
    padded = np.concatenate([np.zeros(m - 1), x, np.zeros(m - 1)])
    full = sliding_window_view(padded, m) @ h[::-1]  # row n of the windows is x[n-m+1 … n]
    start, length = {"full": (0, n + m - 1), "same": ((m - 1) // 2, n), "valid": (m - 1, n - m + 1)}[mode]
    return full[start:start + length]


# --- 2-D: the three ways to compute a 'valid' cross-correlation -----------------------------------


def _correlate_valid_loop(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """y[i, j] = Σₘ Σₙ x[i + m, j + n] k[m, n], written as four loops: the formula, slowly."""
    kernel_rows, kernel_cols = kernel.shape
    out_rows, out_cols = image.shape[0] - kernel_rows + 1, image.shape[1] - kernel_cols + 1
    out = np.zeros((out_rows, out_cols))
    for i in range(out_rows):
        for j in range(out_cols):
            total = 0.0
            for m in range(kernel_rows):
                for n in range(kernel_cols):
                    total += image[i + m, j + n] * kernel[m, n]
            out[i, j] = total
    return out


def _correlate_valid_vectorized(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The same sum with the loops inside NumPy: a view of every k-sized window (no copy), then one einsum."""
    windows = sliding_window_view(image, kernel.shape)  # shape (out_rows, out_cols, kernel_rows, kernel_cols)
    return np.einsum("ijmn,mn->ij", windows, kernel)


def _correlate_valid_fft(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The convolution theorem: FFT(x ∗ k) = FFT(x)·FFT(k); correlating with k is convolving with k flipped."""
    full_shape = tuple(a + b - 1 for a, b in zip(image.shape, kernel.shape, strict=True))
    fast_shape = tuple(scipy_fft.next_fast_len(n, real=True) for n in full_shape)
    spectrum = scipy_fft.rfft2(image, fast_shape) * scipy_fft.rfft2(kernel[::-1, ::-1], fast_shape)
    full = scipy_fft.irfft2(spectrum, fast_shape)
    kernel_rows, kernel_cols = kernel.shape
    return full[kernel_rows - 1:image.shape[0], kernel_cols - 1:image.shape[1]]


_VALID_CORRELATIONS = {
    "loop": _correlate_valid_loop,
    "vectorized": _correlate_valid_vectorized,
    "fft": _correlate_valid_fft,
}


def _pick_method(method: str, kernel: np.ndarray) -> str:
    method = _METHOD_ALIASES.get(method, method) if isinstance(method, str) else method
    check_choice(method, "method", METHODS)
    if method == "auto":  # FFT cost hardly grows with the kernel; the direct sum grows with its area
        return "fft" if kernel.size > 64 else "vectorized"
    return method


def _padding(kernel_length: int, mode: str, flipped: bool) -> tuple[int, int]:
    """Zeros to add (before, after) so that a 'valid' correlation returns the requested mode."""
    if mode == "valid":
        return 0, 0
    if mode == "full":
        return kernel_length - 1, kernel_length - 1
    before, after = (kernel_length - 1) // 2, kernel_length // 2  # SciPy's centre for 'same'
    return (after, before) if flipped else (before, after)


def _correlate(image, kernel, mode, method, *, flipped: bool) -> np.ndarray:
    x = as_real_array(image, "image", 2)
    k = as_real_array(kernel, "kernel", 2)
    check_choice(mode, "mode", MODES)
    method = _pick_method(method, k)
    if flipped:
        k = k[::-1, ::-1]
    if mode == "valid" and any(a < b for a, b in zip(x.shape, k.shape, strict=True)):
        if any(a > b for a, b in zip(x.shape, k.shape, strict=True)):
            raise ValueError(f"for mode='valid' one of image {x.shape} and kernel {k.shape} must be at "
                             "least as large as the other in every dimension")
        # The kernel is larger: swap the roles, as SciPy does. Correlation then runs backwards:
        # (x ⋆ k)[n] = (k ⋆ x)[−n], so the swapped result is read in reverse.
        return _VALID_CORRELATIONS[method](k, x)[::-1, ::-1]
    (top, bottom), (left, right) = (_padding(n, mode, flipped) for n in k.shape)
    padded = np.pad(x, ((top, bottom), (left, right))) if top + bottom + left + right else x
    return _VALID_CORRELATIONS[method](padded, k)


def correlate2d(image: np.ndarray, kernel: np.ndarray, mode: str = "valid", *, method: str = "auto") -> np.ndarray:
    """Cross-correlation y[i, j] = Σₘ Σₙ x[i + m, j + n] k[m, n] — what CNN layers call "convolution".

    Equals :func:`scipy.signal.correlate2d` (zero padding) and, for one channel, ``tf.nn.conv2d`` and
    ``torch.nn.functional.conv2d``.

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (kH, kW)
    mode : {"valid", "same", "full"}
        Output shape (H − kH + 1, W − kW + 1), (H, W) or (H + kH − 1, W + kW − 1).
    method : {"auto", "loop", "vectorized", "fft"}
        ``"loop"`` is the formula as four Python loops (slow, for reading); ``"vectorized"`` uses
        :func:`numpy.lib.stride_tricks.sliding_window_view`; ``"fft"`` the convolution theorem;
        ``"auto"`` picks FFT for kernels with more than 64 entries.

    Returns
    -------
    numpy.ndarray of float64

    Examples
    --------
    >>> correlate2d(np.arange(9).reshape(3, 3), [[1, 0], [0, -1]])
    array([[-4., -4.],
           [-4., -4.]])
    """
    return _correlate(image, kernel, mode, method, flipped=False)


def conv2d(image: np.ndarray, kernel: np.ndarray, mode: str = "valid", *, method: str = "auto") -> np.ndarray:
    """True 2-D convolution y[i, j] = Σₘ Σₙ x[i − m, j − n] k[m, n]: correlation with the kernel flipped.

    Equals :func:`scipy.signal.convolve2d` (zero padding). Parameters as in :func:`correlate2d`.

    Examples
    --------
    >>> conv2d(np.arange(9).reshape(3, 3), [[1, 0], [0, -1]])
    array([[4., 4.],
           [4., 4.]])
    """
    return _correlate(image, kernel, mode, method, flipped=True)


def valid_offset(kernel_length: int, *, flipped: bool = False) -> int:
    """How many pixels a 'valid' output is shifted against the 'same' one: ``valid[i] = same[i + offset]``.

    'valid' output ``i`` is the window that *starts* at input ``i``, so it belongs over input
    ``i + offset``: ``(k − 1) // 2`` for correlation, ``k // 2`` for convolution (``flipped=True``), SciPy's
    and the frameworks' centre for an even kernel. Overlaying a 'valid' result on the image needs this
    shift. Notebook 02 §3.

    Examples
    --------
    >>> valid_offset(3), valid_offset(4), valid_offset(4, flipped=True)
    (1, 1, 2)
    """
    kernel_length = check_positive_int(kernel_length, "kernel_length")
    return _padding(kernel_length, "same", flipped)[0]


# --- output size ----------------------------------------------------------------------------------


def output_size(n: int, k: int, *, padding: int | str = 0, stride: int = 1, dilation: int = 1) -> int:
    """Length of a convolution's output along one axis: ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1.

    Parameters
    ----------
    n : int
        Input length (pixels).
    k : int
        Kernel length.
    padding : int or {"valid", "same"}
        Zeros added on *each* side (PyTorch's ``padding=p``; TensorFlow's explicit padding
        ``[[0, 0], [p, p], [p, p], [0, 0]]``), or ``"valid"`` (p = 0) or ``"same"`` (TensorFlow's rule:
        ⌈n/s⌉, padding as needed; PyTorch allows ``padding="same"`` only with stride 1).
    stride : int
        Step s between output positions.
    dilation : int
        Spacing d between kernel taps; the kernel then spans d(k − 1) + 1 pixels.

    Examples
    --------
    >>> output_size(28, 3)
    26
    >>> output_size(28, 3, padding=1, stride=2)
    14
    """
    n = check_positive_int(n, "n")
    k = check_positive_int(k, "k")
    stride = check_positive_int(stride, "stride")
    dilation = check_positive_int(dilation, "dilation")
    if padding == "same":
        return -(-n // stride)
    if padding == "valid":
        padding = 0
    if isinstance(padding, str):
        raise ValueError(f"padding must be an integer >= 0, 'valid' or 'same', got {padding!r}")
    padding = check_positive_int(padding, "padding", minimum=0)
    span = dilation * (k - 1) + 1
    if n + 2 * padding < span:
        raise ValueError(f"the dilated kernel (span {span}) is larger than the padded input "
                         f"(n + 2·padding = {n + 2 * padding})")
    return (n + 2 * padding - span) // stride + 1
