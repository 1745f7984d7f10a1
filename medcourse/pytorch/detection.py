"""The centre-heatmap detector in PyTorch (notebook 06): model, focal loss, 3×3 max-pool peaks, training.

The twin of :mod:`medcourse.tensorflow.detection`, name for name; the framework-free parts (targets,
decoding, batches, bookkeeping) are :mod:`medcourse.detection`. The model outputs **logits** for the
heatmaps (the Keras twin ends them with a sigmoid); :func:`predict_maps` gives probabilities in both.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

import medcourse
from medcourse.detection import (
    FOCAL_ALPHA,
    FOCAL_BETA,
    OFFSET_WEIGHT,
    PROBABILITY_CLIP,
    SIZE_WEIGHT,
    STRIDE,
    DetectionRun,
    decode,
    detection_batches,
)
from medcourse.detection.models import check_detector_shape, heatmap_bias
from medcourse.training import check_fit_arguments, check_images

from .data import to_tensor
from .training import device

__all__ = ["detect", "detection_loss", "extract_peaks", "fit_detector", "focal_loss", "heatmap_detector",
           "predict_maps"]


def _conv(inputs: int, outputs: int) -> nn.Sequential:
    """3×3 convolution ("same": padding=1), batch norm, ReLU; no bias, batch norm's shift replaces it."""
    return nn.Sequential(nn.Conv2d(inputs, outputs, 3, padding=1, bias=False),
                         nn.BatchNorm2d(outputs),  # PyTorch's defaults: eps 1e-5, momentum 0.1
                         nn.ReLU())


class HeatmapDetector(nn.Module):
    """Encoder–decoder to the stride-4 grid with heads for K heatmaps, size and offset (notebook 06 §2).

    Modules are registered in the order they compute, the order :mod:`medcourse.transfer` matches them in.
    """

    def __init__(self, input_shape: tuple[int, int, int], num_classes: int, width: int = 16):
        super().__init__()
        height, image_width, channels = check_detector_shape(input_shape, num_classes, width)
        self.input_shape, self.num_classes = (height, image_width, channels), int(num_classes)
        self.stem = nn.Sequential(nn.AvgPool2d(2), _conv(channels, width))                            # H/2
        self.down1 = nn.Sequential(nn.MaxPool2d(2), _conv(width, 2 * width), _conv(2 * width, 2 * width))  # H/4
        self.down2 = nn.Sequential(nn.MaxPool2d(2), _conv(2 * width, 4 * width), _conv(4 * width, 4 * width))  # H/8
        self.up = nn.Upsample(scale_factor=2, mode="nearest")                                         # back to H/4
        self.merge = _conv(6 * width, 2 * width)                              # after concatenating the H/4 skip
        self.heatmap = nn.Conv2d(2 * width, num_classes, 1)                    # logits: no sigmoid here
        self.size = nn.Conv2d(2 * width, 2, 1)                                 # log height, log width (px)
        self.offset = nn.Conv2d(2 * width, 2, 1)                               # row, col offset (cells)
        with torch.no_grad():
            self.heatmap.bias.fill_(heatmap_bias())                           # start at probability 0.1 everywhere
        self.to(memory_format=torch.channels_last)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # N×C×H×W tensors held channels-last in memory (as Keras holds them): faster CPU convolutions, same results.
        skip = self.down1(self.stem(x.contiguous(memory_format=torch.channels_last)))
        deep = self.down2(skip)
        features = self.merge(torch.cat([self.up(deep), skip], dim=1))         # channels: dim 1 (NCHW)
        return torch.cat([self.heatmap(features), self.size(features), self.offset(features)], dim=1)


def heatmap_detector(input_shape: tuple[int, int, int], num_classes: int, *, width: int = 16) -> nn.Module:
    """The course's CenterNet-style detector (notebook 06 §2), the twin of :func:`medcourse.tensorflow.heatmap_detector`.

    Parameters
    ----------
    input_shape : (H, W, C)
        Given in the Keras order; ``H`` and ``W`` must be multiples of 8. The model takes ``N×C×H×W``.
    num_classes : int
        Object classes ``K`` (no background).
    width : int
        Channels at half resolution; the quarter- and eighth-resolution layers have 2 and 4 times as many.

    Returns
    -------
    torch.nn.Module
        Outputs ``(N, K + 4, H/4, W/4)``: K heatmap **logits**, log height, log width, row and col offset.

    Examples
    --------
    >>> model = heatmap_detector((64, 64, 1), 4)
    >>> model(torch.zeros(2, 1, 64, 64)).shape
    torch.Size([2, 8, 16, 16])
    """
    return HeatmapDetector(input_shape, num_classes, width)


def focal_loss(predicted: torch.Tensor, heatmap: torch.Tensor, *, alpha: float = FOCAL_ALPHA,
               beta: float = FOCAL_BETA) -> torch.Tensor:
    """CenterNet's focal loss (:func:`medcourse.detection.focal_loss`) of predicted heatmap **logits**.

    ``predicted`` and the targets ``heatmap`` have the same shape (either layout); PyTorch's order,
    prediction first. (The Keras twin takes probabilities, its model ending with a sigmoid.)
    """
    p = torch.sigmoid(predicted).clamp(PROBABILITY_CLIP, 1 - PROBABILITY_CLIP)
    centre = heatmap == 1
    positive = (1 - p) ** alpha * torch.log(p)
    negative = (1 - heatmap) ** beta * p ** alpha * torch.log(1 - p)
    return -torch.where(centre, positive, negative).sum() / centre.sum().clamp(min=1)


def detection_loss(outputs: torch.Tensor, targets: dict[str, torch.Tensor], *, size_weight: float = SIZE_WEIGHT,
                   offset_weight: float = OFFSET_WEIGHT) -> torch.Tensor:
    """Focal loss + size and offset L1 at the centre cells (:func:`medcourse.detection.detection_loss`).

    ``outputs`` is the model's ``(N, K + 4, h, w)``; ``targets`` the tensors of
    :func:`medcourse.detection.detection_targets` (NumPy's channels-last maps moved to ``N×C×h×w``).
    """
    classes = targets["heatmap"].shape[1]
    mask = targets["mask"].unsqueeze(1)                                         # N×1×h×w
    count = mask.sum().clamp(min=1)
    size_error = (outputs[:, classes:classes + 2] - targets["size"]).abs() * mask
    offset_error = (outputs[:, classes + 2:classes + 4] - targets["offset"]).abs() * mask
    return (focal_loss(outputs[:, :classes], targets["heatmap"]) + size_weight * size_error.sum() / count
            + offset_weight * offset_error.sum() / count)


def extract_peaks(heatmap: torch.Tensor, *, threshold: float = 0.05) -> torch.Tensor:
    """Keep only the local maxima of heatmap probabilities ``(N, K, h, w)``: 3×3 max-pooling as NMS; others become 0."""
    pooled = nn.functional.max_pool2d(heatmap, kernel_size=3, stride=1, padding=1)  # pads with −∞
    return heatmap * ((heatmap == pooled) & (heatmap >= threshold))


def _to_torch(targets: dict[str, np.ndarray], device) -> dict[str, torch.Tensor]:
    """NumPy's channels-last targets as channels-first tensors (the mask stays N×h×w)."""
    return {name: torch.from_numpy(np.ascontiguousarray(value if value.ndim == 3 else np.moveaxis(value, -1, 1)))
            .to(device) for name, value in targets.items()}


def _maps(outputs: torch.Tensor, num_classes: int) -> np.ndarray:
    """Model outputs → NumPy maps ``(N, h, w, K + 4)`` with the heatmaps as probabilities (the Keras layout)."""
    outputs = torch.cat([torch.sigmoid(outputs[:, :num_classes]), outputs[:, num_classes:]], dim=1)
    return outputs.permute(0, 2, 3, 1).detach().cpu().numpy()


@torch.no_grad()
def predict_maps(model: nn.Module, images: np.ndarray, *, batch_size: int = 16) -> np.ndarray:
    """The output maps for ``uint8`` images: NumPy ``(N, H/4, W/4, K + 4)``, heatmaps as probabilities, channels last.

    Small batches keep the memory low (TensorFlow holds on to the buffers of the largest batch it ran).
    """
    check_images(images, getattr(model, "input_shape", None))
    tensor = to_tensor(images)
    model.eval()
    target = next(model.parameters()).device
    return np.concatenate([_maps(model(tensor[start:start + batch_size].to(target)), model.num_classes)
                           for start in range(0, len(tensor), batch_size)]).astype(np.float32)


def detect(model: nn.Module, images: np.ndarray, *, threshold: float = 0.05, max_detections: int = 100) -> list:
    """Detections of each image: a list of ``(m, 6)`` arrays ``row, col, height, width, class, score`` (pixels)."""
    return decode(predict_maps(model, images), stride=STRIDE, threshold=threshold, max_detections=max_detections)


def fit_detector(model: nn.Module, dataset, *, epochs: int, batch_size: int = 4, seed: int = 0,
                 learning_rate: float = 3e-3, augment: bool = True, loss=None, live: bool = False,
                 verbose: bool = True) -> medcourse.training.History:
    """Train a detector on ``dataset.train`` (task ``"detection"``) with Adam; validate on ``dataset.val`` every epoch.

    ``medcourse.pytorch.fit`` hands detection datasets to this function, with its own arguments — whose
    defaults suit classifiers (batch 64, no augmentation): give ``batch_size=4, learning_rate=3e-3,
    augment=True`` to ``fit`` as notebook 06 does. The learning rate falls along a cosine from
    ``learning_rate`` to 0 over the run; the model ends with the weights of the epoch of highest
    validation CPM (mean over classes, :class:`medcourse.detection.DetectionRun`).

    Parameters
    ----------
    model : torch.nn.Module
        Outputs ``(N, K + 4, H/4, W/4)`` as :func:`heatmap_detector`.
    dataset : medcourse.data.Dataset
        Task ``"detection"``, labels :class:`~medcourse.data.ObjectLabels`.
    epochs, batch_size, seed, learning_rate
        As for :func:`medcourse.pytorch.fit`; the same seed gives the TensorFlow twin the same batches.
    augment : bool or dict
        Mirrors that move the boxes, brightness/contrast (:func:`medcourse.detection.detection_batches`).
    loss : callable, optional
        ``loss(outputs, targets) -> scalar`` in PyTorch's order, instead of :func:`detection_loss`;
        ``targets`` is the dict of channels-first tensors ``heatmap``, ``size``, ``offset``, ``mask``.
    live, verbose : bool
        Live curves in a notebook; progress bar and summary line.
    """
    epochs = check_fit_arguments(dataset, epochs, ("detection",), caller="fit_detector")
    medcourse.seed_everything(seed)
    target = device()
    model.to(target)
    loss_function = loss or detection_loss
    images, labels = dataset.train
    steps = -(-len(images) // int(batch_size))
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * steps)
    run = DetectionRun("pytorch", epochs=epochs, steps_per_epoch=steps, num_classes=dataset.num_classes,
                       live=live, verbose=verbose, title="PyTorch")
    best_state = None
    for epoch in run.epochs():
        model.train()
        for batch, targets, batch_labels in detection_batches(images, labels, num_classes=dataset.num_classes,
                                                              batch_size=batch_size, seed=seed, epoch=epoch,
                                                              augment=augment):
            outputs = model(torch.from_numpy(np.ascontiguousarray(np.moveaxis(batch, -1, 1))).to(target))
            batch_loss = loss_function(outputs, _to_torch(targets, target))
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
            schedule.step()
            run.batch(batch_loss.item(), batch_labels, _maps(outputs, dataset.num_classes))
        if run.end_epoch(dataset.val[1], predict_maps(model, dataset.val[0])):
            best_state = {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}
    model.load_state_dict(best_state)
    return run.finish()
