"""How libraries really compute a convolution layer: im2col + matrix multiply (GEMM), and Winograd (notebook 02 §3).

* :func:`im2col` lays every kernel-sized patch of an image out as one column of a matrix, so that the whole
  correlation becomes one matrix product (:func:`correlate2d_gemm`) — what PyTorch's portable CPU path
  (``_slow_conv2d_forward``), TensorFlow's Eigen path and cuDNN's GEMM algorithms do, in blocks.
* :func:`winograd_correlate2d` computes a 3×3 correlation with the Winograd transform F(2×2, 3×3): 16
  multiplications for every 2×2 block of outputs instead of 36 (Lavin & Gray, 2016).

Both equal :func:`medcourse.conv.correlate2d` in ``"valid"`` mode (tests/test_conv.py).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from medcourse.conv._checks import as_real_array

#: Winograd F(2, 3) transforms: y = Aᵀ[(G g) ⊙ (Bᵀ d)] for 4 inputs d and a 3-tap kernel g (2 outputs).
WINOGRAD_BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=float)
WINOGRAD_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
WINOGRAD_AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=float)


def _fitting(image, kernel) -> tuple[np.ndarray, np.ndarray]:
    x, k = as_real_array(image, "image", 2), as_real_array(kernel, "kernel", 2)
    if x.shape[0] < k.shape[0] or x.shape[1] < k.shape[1]:
        raise ValueError(f"the {k.shape[0]}×{k.shape[1]} kernel does not fit in the {x.shape[0]}×{x.shape[1]} image")
    return x, k


def im2col(image: np.ndarray, kernel_shape: tuple[int, int]) -> np.ndarray:
    """Every ``kH×kW`` patch of ``image`` as one column: a ``(kH·kW, H'·W')`` matrix (a copy; notebook 02 §3).

    Column ``i·W' + j`` holds the patch whose top-left pixel is ``(i, j)``, read row by row — the order of
    ``torch.nn.functional.unfold`` for one channel. Each pixel is copied up to ``kH·kW`` times: the price
    of turning the correlation into one matrix product.

    Examples
    --------
    >>> im2col(np.arange(9.0).reshape(3, 3), (2, 2))
    array([[0., 1., 3., 4.],
           [1., 2., 4., 5.],
           [3., 4., 6., 7.],
           [4., 5., 7., 8.]])
    """
    x, _ = _fitting(image, np.zeros(kernel_shape))
    windows = sliding_window_view(x, tuple(kernel_shape))  # (H', W', kH, kW), a view
    return windows.reshape(-1, kernel_shape[0] * kernel_shape[1]).T.copy()


def correlate2d_gemm(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """'valid' cross-correlation as one matrix product: the kernel as a row times :func:`im2col`'s matrix."""
    x, k = _fitting(image, kernel)
    rows, columns = x.shape[0] - k.shape[0] + 1, x.shape[1] - k.shape[1] + 1
    return (k.reshape(1, -1) @ im2col(x, k.shape)).reshape(rows, columns)


def winograd_correlate2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """'valid' 3×3 cross-correlation by Winograd F(2×2, 3×3): ``Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A`` per 4×4 tile.

    Each 4×4 input tile ``d`` (tiles 2 pixels apart) gives a 2×2 block of outputs from 16 element-wise
    products; the transforms of ``d`` need only additions and ``G g Gᵀ`` is computed once per kernel. An odd
    number of output rows or columns is handled by padding and cropping.

    Examples
    --------
    >>> x = np.arange(36.0).reshape(6, 6)
    >>> bool(np.allclose(winograd_correlate2d(x, np.ones((3, 3))), correlate2d_gemm(x, np.ones((3, 3)))))
    True
    """
    x, g = _fitting(image, kernel)
    if g.shape != (3, 3):
        raise ValueError(f"kernel must be 3×3 for Winograd F(2×2, 3×3), got shape {g.shape}")
    rows, columns = x.shape[0] - 2, x.shape[1] - 2
    x = np.pad(x, ((0, rows % 2), (0, columns % 2)))  # an even number of outputs: whole 2×2 blocks
    tiles = sliding_window_view(x, (4, 4))[::2, ::2]                     # (rows/2, columns/2, 4, 4)
    kernel_transformed = WINOGRAD_G @ g @ WINOGRAD_G.T                    # 4×4, once per kernel
    tiles_transformed = WINOGRAD_BT @ tiles @ WINOGRAD_BT.T               # additions only
    blocks = WINOGRAD_AT @ (kernel_transformed * tiles_transformed) @ WINOGRAD_AT.T  # 16 products → 2×2
    return blocks.transpose(0, 2, 1, 3).reshape(x.shape[0] - 2, x.shape[1] - 2)[:rows, :columns]


__all__ = ["WINOGRAD_AT", "WINOGRAD_BT", "WINOGRAD_G", "correlate2d_gemm", "im2col", "winograd_correlate2d"]
