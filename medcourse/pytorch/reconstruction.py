"""Learned reconstruction in PyTorch (notebook 11 §3–§5): a residual U-Net on the classical reconstruction,
the data-consistency step for MRI, a PatchGAN discriminator, and the L1 / L1 + adversarial training.

Mirrored name for name by :mod:`medcourse.tensorflow.reconstruction`. Tensors are ``N×C×H×W`` here (PyTorch's
channels-first layout); the functions that take or return NumPy use ``(N, H, W)`` float images, as the
NumPy reference :mod:`medcourse.reconstruction` does. The discriminator outputs **logits**. Notebook 11 writes
the networks and the training step out and checks that these builders and this step are the same.
"""

from __future__ import annotations

import copy
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from medcourse.reconstruction.batches import check_network_shape, training_batches

__all__ = [
    "copy_model",
    "data_consistency",
    "fit_reconstruction",
    "patchgan_discriminator",
    "reconstruct",
    "reconstruction_unet",
    "train_step",
]


def _fft_order(mask) -> np.ndarray:
    """A centred k-space mask ``(H, W)`` in the FFT's own order (``np.fft.ifftshift``), as float32."""
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2:
        raise ValueError(f"mask must be a 2-D k-space mask (H, W), got shape {mask.shape}")
    return np.fft.ifftshift(mask).astype(np.float32)


def _replace_measured(estimate: torch.Tensor, zero_filled: torch.Tensor, measured: torch.Tensor) -> torch.Tensor:
    k_estimate, k_measured = torch.fft.fft2(estimate), torch.fft.fft2(zero_filled)  # the last two axes: H, W
    return torch.fft.ifft2(k_estimate + measured * (k_measured - k_estimate)).real


def data_consistency(images: torch.Tensor, zero_filled: torch.Tensor, mask) -> torch.Tensor:
    """Put the measured k-space lines back: ``F⁻¹[M F x₀ + (1 − M) F x̂]`` for estimates x̂ and zero-filled x₀.

    ``F x₀`` *is* the measured k-space on the measured lines (the zero-filled image was made from it), so
    the step needs only the centred boolean ``mask`` ``(H, W)``. Unnormalised, uncentred FFTs suffice: the
    scaling cancels, and the mask is moved to the FFT's own order. Tensors ``N×1×H×W``; the NumPy reference
    is :func:`medcourse.reconstruction.data_consistency`.
    """
    measured = torch.from_numpy(_fft_order(mask)).to(images.device)
    return _replace_measured(images, zero_filled, measured)


class DataConsistency(nn.Module):
    """:func:`data_consistency` as the last layer of a network: ``forward(estimate, zero_filled)``."""

    def __init__(self, mask: np.ndarray):
        super().__init__()
        # A plain attribute, not a buffer: the mask is part of the design, not a weight to save or copy.
        self.measured = torch.from_numpy(_fft_order(mask))

    def forward(self, estimate: torch.Tensor, zero_filled: torch.Tensor) -> torch.Tensor:
        return _replace_measured(estimate, zero_filled, self.measured.to(estimate.device))


def _block(in_channels: int, out_channels: int) -> nn.Sequential:
    """Two 3×3 convolutions with ReLU ("same" size: padding 1)."""
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(out_channels, out_channels, 3, padding=1), nn.ReLU())


class ReconstructionUNet(nn.Module):
    """The course's reconstruction U-Net, built by :func:`reconstruction_unet`; ``forward(x)`` returns ``x + U(x)``."""

    def __init__(self, channels: int = 1, width: int = 8, mask: np.ndarray | None = None):
        super().__init__()
        self.encoder1 = _block(channels, width)                            # H × W
        self.encoder2 = _block(width, 2 * width)                           # H/2 × W/2
        self.bottom = _block(2 * width, 4 * width)                         # H/4 × W/4
        self.up2 = nn.Conv2d(4 * width, 2 * width, 3, padding=1)
        self.decoder2 = _block(4 * width, 2 * width)
        self.up1 = nn.Conv2d(2 * width, width, 3, padding=1)
        self.decoder1 = _block(2 * width, width)
        self.correction = nn.Conv2d(width, channels, 1)
        self.consistency = None if mask is None else DataConsistency(mask)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):  # He initialisation for ReLU networks (the default is gentler)
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                nn.init.zeros_(module.bias)
        nn.init.zeros_(self.correction.weight)  # start as the identity: the network begins at the classical image
        self.to(memory_format=torch.channels_last)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # The tensors stay N×C×H×W; only their layout in memory becomes channels-last (N×H×W×C, as Keras keeps
        # them), which makes PyTorch's CPU convolutions about 1.8× faster here. The results are the same.
        x = x.contiguous(memory_format=torch.channels_last)
        skip1 = self.encoder1(x)
        skip2 = self.encoder2(F.max_pool2d(skip1, 2))
        bottom = self.bottom(F.max_pool2d(skip2, 2))
        up2 = F.relu(self.up2(F.interpolate(bottom, scale_factor=2)))      # nearest-neighbour upsampling
        decoded2 = self.decoder2(torch.cat([up2, skip2], dim=1))           # channels first: concatenate on dim 1
        up1 = F.relu(self.up1(F.interpolate(decoded2, scale_factor=2)))
        decoded1 = self.decoder1(torch.cat([up1, skip1], dim=1))
        estimate = x + self.correction(decoded1)                          # residual: learn only the correction
        return estimate if self.consistency is None else self.consistency(estimate, x)



def reconstruction_unet(input_shape: tuple[int, int, int], width: int = 8, *, mask=None) -> nn.Module:
    """Residual U-Net ``x ↦ x + U(x)`` that cleans a classical reconstruction (notebook 11 §3).

    Two 2×2 poolings (so H and W must be multiples of 4), nearest-neighbour upsampling followed by a 3×3
    convolution, skip connections, He-initialised ReLU convolutions, and a last 1×1 convolution that starts
    at zero, so the untrained network returns its input. With ``mask`` (a k-space mask, MRI) the output
    passes through :class:`DataConsistency`. Takes ``N×C×H×W`` tensors (``input_shape`` is given as
    ``(H, W, C)``, as for every builder of the course); without a mask any multiple-of-4 size works.
    """
    _, _, channels = check_network_shape(input_shape, mask)
    return ReconstructionUNet(channels, int(width), mask)


def patchgan_discriminator(input_shape: tuple[int, int, int], width: int = 16) -> nn.Sequential:
    """PatchGAN (notebook 11 §4): a map of logits, one per patch, for a pair stacked as channels.

    ``input_shape`` is ``(H, W, 2)``: the condition (the classical reconstruction) and the candidate (the
    truth or the network's output), concatenated on the channel axis before the call. Two strided 4×4
    convolutions (H/4 × W/4 patches, each seeing 10×10 pixels) and a 3×3 convolution to one logit.
    """
    _, _, channels = check_network_shape(input_shape, None)
    network = nn.Sequential(
        nn.Conv2d(channels, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2),          # H/2
        nn.Conv2d(width, 2 * width, 4, stride=2, padding=1), nn.LeakyReLU(0.2),         # H/4
        nn.Conv2d(2 * width, 1, 3, padding=1),                                           # one logit per patch
    )
    for module in network:
        if isinstance(module, nn.Conv2d):  # He initialisation, as in the U-Net
            nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
            nn.init.zeros_(module.bias)
    return network.to(memory_format=torch.channels_last)  # weights stored like Keras's: faster CPU convolutions


def _bce(logits: torch.Tensor, target: float) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


def train_step(generator: nn.Module, generator_optimizer, inputs: torch.Tensor, targets: torch.Tensor, *,
               discriminator: nn.Module | None = None, discriminator_optimizer=None,
               l1_weight: float = 100.0) -> dict[str, float]:
    """One step: L1 only (no discriminator), or pix2pix — a discriminator step, then ``L_G = λ·L1 + adversarial``.

    Returns the losses as floats: ``l1`` always, ``d_loss`` and ``adversarial`` with a discriminator.
    """
    generator.train()
    losses = {}
    if discriminator is not None:  # D learns to tell (input, truth) from (input, output) pairs
        with torch.no_grad():
            output = generator(inputs)  # no gradient into G here
        d_loss = (_bce(discriminator(torch.cat([inputs, targets], dim=1)), 1.0)
                  + _bce(discriminator(torch.cat([inputs, output], dim=1)), 0.0))
        discriminator_optimizer.zero_grad()
        d_loss.backward()
        discriminator_optimizer.step()
        losses["d_loss"] = d_loss.item()
    output = generator(inputs)
    l1 = torch.mean(torch.abs(output - targets))
    g_loss = l1_weight * l1
    if discriminator is not None:  # …and G learns to make D call its output real
        adversarial = _bce(discriminator(torch.cat([inputs, output], dim=1)), 1.0)
        g_loss = g_loss + adversarial
        losses["adversarial"] = adversarial.item()
    generator_optimizer.zero_grad()
    g_loss.backward()  # also fills D's .grad; the next D step's zero_grad() clears it
    generator_optimizer.step()
    losses["l1"] = l1.item()
    return losses


def _tensor(images: np.ndarray, device) -> torch.Tensor:
    """NumPy ``(N, H, W)`` → float32 ``N×1×H×W`` on ``device``."""
    return torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32)[:, None]).to(device)


def fit_reconstruction(generator: nn.Module, inputs: np.ndarray, targets: np.ndarray, *, steps: int,
                       batch_size: int = 16, learning_rate: float = 2e-3, crop: int | None = None, seed: int = 0,
                       discriminator: nn.Module | None = None, l1_weight: float = 100.0,
                       discriminator_learning_rate: float = 1e-3, verbose: bool = True) -> dict[str, list[float]]:
    """Train ``generator`` (in place) to map ``inputs`` to ``targets``, both NumPy ``(N, H, W)``, for ``steps`` steps.

    Adam at ``learning_rate`` for the generator; with a ``discriminator``, Adam at ``discriminator_learning_rate``
    with β₁ = 0.5 for it (pix2pix's β₁; its 2·10⁻⁴ learns too slowly for the few steps of a lesson). The batches (and ``crop`` windows) come from
    :func:`medcourse.reconstruction.training_batches`, the same in both frameworks for the same ``seed``.
    Returns the losses of every step (``"l1"``, and ``"d_loss"``, ``"adversarial"`` with a discriminator) and
    the run's wall time (``"seconds"``, one number in a list).
    """
    from tqdm.auto import tqdm

    inputs, targets = np.asarray(inputs, np.float32), np.asarray(targets, np.float32)
    if inputs.shape != targets.shape or inputs.ndim != 3:
        raise ValueError(f"inputs and targets must be (N, H, W) arrays of one shape, got {inputs.shape} and {targets.shape}")
    device = next(generator.parameters()).device
    g_optimizer = torch.optim.Adam(generator.parameters(), learning_rate)
    d_optimizer = None if discriminator is None else torch.optim.Adam(discriminator.parameters(), discriminator_learning_rate,
                                                                        betas=(0.5, 0.999))
    plan = training_batches(len(inputs), steps=steps, batch_size=batch_size, image_shape=inputs.shape[1:],
                            crop=crop, seed=seed)
    history: dict[str, list[float]] = {}
    start = time.perf_counter()
    for indices, (rows, columns) in tqdm(plan, total=steps, desc="L1 + GAN" if discriminator else "L1", unit="step",
                                         disable=not verbose):
        losses = train_step(generator, g_optimizer, _tensor(inputs[indices, rows, columns], device),
                            _tensor(targets[indices, rows, columns], device), discriminator=discriminator,
                            discriminator_optimizer=d_optimizer, l1_weight=l1_weight)
        for name, value in losses.items():
            history.setdefault(name, []).append(value)
    history["seconds"] = [time.perf_counter() - start]
    return history


@torch.no_grad()
def reconstruct(model: nn.Module, images: np.ndarray, *, batch_size: int = 16) -> np.ndarray:
    """The model's output for NumPy images ``(N, H, W)`` (evaluation mode), as float32 NumPy ``(N, H, W)``.

    Small batches keep the memory low: a batch of 64 whole 64 × 64 slices held ~75 MB of activations at once.
    """
    images = np.asarray(images, np.float32)
    if images.ndim != 3:
        raise ValueError(f"images must be (N, H, W), got shape {images.shape}")
    model.eval()
    device = next(model.parameters()).device
    outputs = [model(_tensor(images[start:start + batch_size], device))[:, 0].cpu().numpy()
               for start in range(0, len(images), batch_size)]
    return np.concatenate(outputs)


def copy_model(model: nn.Module) -> nn.Module:
    """An independent copy with the same weights (to fine-tune one network while keeping the other)."""
    return copy.deepcopy(model)
