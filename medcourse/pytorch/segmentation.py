"""The U-Net and the segmentation losses in PyTorch (notebook 05), the twin of :mod:`medcourse.tensorflow.segmentation`.

The network the notebook writes out, as a reusable builder: :func:`unet` returns a :class:`UNet` that
outputs **logits** ``(N, K, H, W)`` (``nn.CrossEntropyLoss`` and :func:`soft_dice_loss` apply the softmax
themselves); the Keras twin ends with a softmax. The losses are factories that return a function in
PyTorch's argument order ``loss(logits, labels)``, ready for ``fit(..., loss=...)``. Shapes, parameter counts
and the soft Dice in NumPy: :mod:`medcourse.segmentation`.
"""

from __future__ import annotations

import torch
from torch import nn

from medcourse.segmentation import check_unet_arguments

__all__ = ["dice_cross_entropy_loss", "soft_dice_loss", "unet"]


def _conv_block(inputs: int, filters: int, batch_norm: bool) -> nn.Sequential:
    """Two 3×3 "same" convolutions, each followed by batch norm (optional) and ReLU."""
    layers = []
    for channels in (inputs, filters):
        layers.append(nn.Conv2d(channels, filters, kernel_size=3, padding=1, bias=not batch_norm))
        if batch_norm:
            layers.append(nn.BatchNorm2d(filters))  # PyTorch's defaults: eps 1e-5, momentum 0.1
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class DecoderStage(nn.Module):
    """Double the resolution, concatenate the encoder's map of that size (the skip), convolve twice."""

    def __init__(self, inputs: int, filters: int, *, batch_norm: bool, upsampling: str):
        super().__init__()
        if upsampling == "transposed":  # learned 2×2 "up-convolution", stride 2: no overlapping stamps
            self.up = nn.ConvTranspose2d(inputs, filters, kernel_size=2, stride=2)
        else:  # a fixed enlargement, then a learned 3×3 convolution (a "resize-convolution")
            self.up = nn.Sequential(nn.Upsample(scale_factor=2, mode=upsampling),
                                    nn.Conv2d(inputs, filters, kernel_size=3, padding=1))
        self.block = _conv_block(2 * filters, filters, batch_norm)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        return self.block(torch.cat([self.up(x), skip], dim=1))  # channels: up-sampled first, then the skip


class UNet(nn.Module):
    """The course's U-Net (Ronneberger et al. 2015, with "same" padding so the output is the input's size).

    Modules are registered in the order they compute (encoder, bottleneck, each decoder stage's
    up-sampling then its block, head), the order :mod:`medcourse.transfer` matches them in.
    """

    def __init__(self, input_shape, num_classes: int, *, base_filters: int = 16, depth: int = 3,
                 batch_norm: bool = True, upsampling: str = "transposed"):
        super().__init__()
        height, width, channels = check_unet_arguments(input_shape, num_classes, base_filters=base_filters,
                                                       depth=depth, upsampling=upsampling)
        widths = [base_filters * 2 ** level for level in range(depth + 1)]
        self.encoder = nn.ModuleList(_conv_block(inputs, filters, batch_norm)
                                     for inputs, filters in zip([channels, *widths[:-2]], widths[:-1], strict=True))
        self.pool = nn.MaxPool2d(2)
        self.bottleneck = _conv_block(widths[-2], widths[-1], batch_norm)
        self.decoder = nn.ModuleList(DecoderStage(widths[level + 1], widths[level], batch_norm=batch_norm,
                                                  upsampling=upsampling) for level in reversed(range(depth)))
        self.head = nn.Conv2d(widths[0], int(num_classes), kernel_size=1)  # logits: no softmax
        self.input_shape = (height, width, channels)  # (H, W, C), what predict_proba checks images against
        self.to(memory_format=torch.channels_last)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # The tensor stays N×C×H×W; only its layout in memory becomes channels-last (N×H×W×C, as Keras keeps it),
        # which makes PyTorch's CPU convolutions about 1.5× faster here. The results are the same.
        x = x.contiguous(memory_format=torch.channels_last)
        skips = []
        for block in self.encoder:
            x = block(x)
            skips.append(x)
            x = self.pool(x)
        x = self.bottleneck(x)
        for stage, skip in zip(self.decoder, reversed(skips), strict=True):
            x = stage(x, skip)
        return self.head(x)


def unet(input_shape: tuple[int, int, int], num_classes: int, *, base_filters: int = 16, depth: int = 3,
         batch_norm: bool = True, upsampling: str = "transposed") -> UNet:
    """The course's U-Net in PyTorch: ``depth`` encoder levels, a bottleneck, ``depth`` decoder levels with skips.

    The PyTorch twin of :func:`medcourse.tensorflow.unet` (notebook 05 §3): the same layers, the same
    parameter count (:func:`medcourse.segmentation.unet_parameter_count`), and after
    :func:`medcourse.transfer.keras_to_torch` the same outputs.

    Parameters
    ----------
    input_shape : (H, W, C)
        Given in the **same order as for Keras**, although the model takes ``N×C×H×W`` tensors; ``H`` and
        ``W`` must be multiples of ``2**depth``.
    num_classes : int
        Classes per pixel ``K``, the background included.
    base_filters : int
        Channels of the first level; each level down doubles them.
    depth : int
        Number of poolings (and of up-samplings).
    batch_norm : bool
        Batch normalisation after every 3×3 convolution of the blocks (which then have no bias).
    upsampling : {"transposed", "nearest", "bilinear"}
        A learned 2×2 transposed convolution, or a fixed enlargement followed by a 3×3 convolution.

    Returns
    -------
    UNet
        Outputs **logits** ``(N, K, H, W)``; :func:`medcourse.pytorch.predict_proba` gives ``(N, H, W, K)``
        probabilities.

    Examples
    --------
    >>> model = unet((48, 64, 1), 3, base_filters=8, depth=2)
    >>> model(torch.zeros(2, 1, 48, 64)).shape
    torch.Size([2, 3, 48, 64])
    """
    return UNet(input_shape, num_classes, base_filters=base_filters, depth=depth, batch_norm=batch_norm,
                upsampling=upsampling)


def _soft_dice_from_logits(logits: torch.Tensor, labels: torch.Tensor, num_classes: int, smooth: float,
                           include_background: bool) -> torch.Tensor:
    """``1 − mean_k (2 Σ p g + s) / (Σ p + Σ g + s)`` over the batch, from logits (N, K, H, W) and labels (N, H, W)."""
    p = torch.softmax(logits, dim=1)
    g = nn.functional.one_hot(labels.long(), num_classes).permute(0, 3, 1, 2).to(p.dtype)  # N×H×W×K → N×K×H×W
    axes = (0, 2, 3)  # sum over the batch and the pixels, one value per class
    dice = (2 * (p * g).sum(axes) + smooth) / (p.sum(axes) + g.sum(axes) + smooth)
    return 1 - (dice if include_background else dice[1:]).mean()


def soft_dice_loss(num_classes: int, *, smooth: float = 1.0, include_background: bool = False):
    """A soft Dice loss ``loss(logits, labels)`` in PyTorch's argument order, for ``fit(..., loss=...)``.

    The NumPy reference is :func:`medcourse.segmentation.soft_dice_loss` (notebook 05 §4 derives it); the
    Keras twin takes ``(labels, probabilities)``.

    Examples
    --------
    >>> loss = soft_dice_loss(3)
    >>> round(float(loss(torch.zeros(1, 3, 4, 4), torch.zeros(1, 4, 4, dtype=torch.long))), 3)
    0.0
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes must be an integer ≥ 2, got {num_classes!r}")

    def loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return _soft_dice_from_logits(logits, labels, num_classes, smooth, include_background)

    return loss


def dice_cross_entropy_loss(num_classes: int, *, smooth: float = 1.0, include_background: bool = False):
    """Cross-entropy plus soft Dice, ``loss(logits, labels)`` in PyTorch's order (nnU-Net's default loss).

    The cross-entropy (unweighted mean over pixels) gives every pixel a smooth gradient from the start;
    the soft Dice makes each foreground class count as a whole, however few pixels it has.
    """
    dice = soft_dice_loss(num_classes, smooth=smooth, include_background=include_background)

    def loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return nn.functional.cross_entropy(logits, labels.long()) + dice(logits, labels)

    return loss
