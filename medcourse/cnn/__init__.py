"""CNN building blocks in NumPy: the reference implementations notebook 03 derives and checks against both frameworks.

* :func:`conv2d_layer` (forward, "valid" or "same" padding: :func:`same_padding`) and :func:`conv2d_backward`;
* :func:`relu`, :func:`max_pool2d`, :func:`residual_block`;
* :func:`batch_statistics`, :func:`batch_norm`, :func:`moving_average` and :func:`dropout`, whose behaviour
  differs between training and evaluation;
* counting: :func:`conv_parameters`, :func:`dense_parameters`, :func:`receptive_field`, and
  :func:`check_input_shape`, which both frameworks' classifier builders call.

Framework-free; arrays are channels-last (``N×H×W×C``, Keras's layout) and kernels ``(kh, kw, C_in, C_out)``
("HWIO", Keras's layout). (Output sizes: :func:`medcourse.conv.output_size`; one-channel correlation:
:func:`medcourse.conv.correlate2d`.)
"""

from __future__ import annotations

from medcourse.cnn.blocks import max_pool2d, relu, residual_block
from medcourse.cnn.convolution import conv2d_backward, conv2d_layer, same_padding
from medcourse.cnn.normalisation import batch_norm, batch_statistics, dropout, moving_average
from medcourse.cnn.sizes import check_input_shape, conv_parameters, dense_parameters, receptive_field

__all__ = [
    "batch_norm",
    "batch_statistics",
    "check_input_shape",
    "conv2d_backward",
    "conv2d_layer",
    "conv_parameters",
    "dense_parameters",
    "dropout",
    "max_pool2d",
    "moving_average",
    "receptive_field",
    "relu",
    "residual_block",
    "same_padding",
]
