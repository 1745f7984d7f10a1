"""GANs in PyTorch (notebooks 09–10): generator and discriminator builders, one training step, sampling.

Mirrored name for name by :mod:`medcourse.tensorflow.gan`. Images are ``N×C×H×W`` in ``[−1, 1]``
here (PyTorch's channels-first layout); discriminators output **logits**.
Import as ``from medcourse.pytorch import gan as torch_gan``. Real images go in with
``medcourse.pytorch.to_tensor(images, value_range=(-1, 1))``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from medcourse.gan import GENERATOR_LOSSES, tanh_range_to_images
from medcourse.gan import latent_noise as numpy_latent_noise

__all__ = [
    "cnn_features",
    "conditional_discriminator",
    "conditional_generator",
    "dcgan_discriminator",
    "dcgan_generator",
    "generate_images",
    "latent_noise",
    "patch_discriminator",
    "toy_discriminator",
    "toy_generator",
    "train_step",
    "unet_generator",
]

def _spectral(layer: nn.Module, spectral_norm: bool) -> nn.Module:
    return nn.utils.parametrizations.spectral_norm(layer) if spectral_norm else layer


def toy_generator(latent_dim: int = 4, hidden: int = 32) -> nn.Sequential:
    """1-D toy generator ``G: z ∈ R^latent_dim → x ∈ R`` (notebook 09, section 3): two hidden layers."""
    return nn.Sequential(
        nn.Linear(latent_dim, hidden), nn.LeakyReLU(0.2),
        nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
        nn.Linear(hidden, 1),
    )


def toy_discriminator(hidden: int = 32, *, spectral_norm: bool = False) -> nn.Sequential:
    """1-D toy discriminator ``D: x ∈ R → logit``; ``spectral_norm`` wraps every linear layer."""
    return nn.Sequential(
        _spectral(nn.Linear(1, hidden), spectral_norm), nn.LeakyReLU(0.2),
        _spectral(nn.Linear(hidden, hidden), spectral_norm), nn.LeakyReLU(0.2),
        _spectral(nn.Linear(hidden, 1), spectral_norm),
    )


def dcgan_generator(latent_dim: int = 32, width: int = 32) -> nn.Sequential:
    """DCGAN generator for 28×28 grey images: Dense → 7×7 → transposed conv ×2 (14, 28) → tanh.

    Output ``N×1×28×28`` in ``[−1, 1]``. Batch normalisation as in PyTorch's defaults (momentum
    0.1, eps 1e-5); the Keras twin sets the same values explicitly.
    """
    return nn.Sequential(
        nn.Linear(latent_dim, 2 * width * 7 * 7, bias=False),
        nn.Unflatten(1, (2 * width, 7, 7)),       # channels first; Keras reshapes to 7×7×C
        nn.BatchNorm2d(2 * width), nn.ReLU(),
        nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1, bias=False),  # 7 → 14
        nn.BatchNorm2d(width), nn.ReLU(),
        nn.ConvTranspose2d(width, 1, 4, stride=2, padding=1),                     # 14 → 28
        nn.Tanh(),
    )


def dcgan_discriminator(width: int = 32, *, spectral_norm: bool = False, channels: int = 1) -> nn.Sequential:
    """DCGAN discriminator for 28×28 grey images: strided conv ×2 (14, 7) → one logit per image."""
    return nn.Sequential(
        # No bias before a LeakyReLU, as in the Keras twin (whose graph optimiser trips over conv + bias + LeakyReLU).
        _spectral(nn.Conv2d(channels, width, 4, stride=2, padding=1, bias=False), spectral_norm),  # 28 → 14
        nn.LeakyReLU(0.2),
        _spectral(nn.Conv2d(width, 2 * width, 4, stride=2, padding=1, bias=False), spectral_norm),             # 14 → 7
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        _spectral(nn.Linear(2 * width * 7 * 7, 1), spectral_norm),
    )


class Conditional(nn.Module):
    """Wraps a network so it also takes class labels: ``forward(inputs, labels)``.

    For a generator the one-hot label is appended to the noise vector; for a discriminator it is
    appended to the image as ``num_classes`` constant channels.
    """

    def __init__(self, network: nn.Module, num_classes: int, *, images: bool):
        super().__init__()
        self.network, self.num_classes, self.images = network, int(num_classes), images

    def forward(self, inputs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        one_hot = F.one_hot(labels.long(), self.num_classes).to(inputs.dtype)
        if self.images:
            one_hot = one_hot[:, :, None, None].expand(-1, -1, *inputs.shape[2:])
        return self.network(torch.cat([inputs, one_hot], dim=1))


def conditional_generator(num_classes: int, latent_dim: int = 32, width: int = 32) -> Conditional:
    """Class-conditional DCGAN generator ``G(z, y)`` (notebook 10): the one-hot ``y`` joins the noise."""
    return Conditional(dcgan_generator(latent_dim + num_classes, width), num_classes, images=False)


def conditional_discriminator(num_classes: int, width: int = 32, *, spectral_norm: bool = False) -> Conditional:
    """Class-conditional discriminator ``D(x, y)``: ``y`` joins the image as constant one-hot channels."""
    network = dcgan_discriminator(width, spectral_norm=spectral_norm, channels=1 + num_classes)
    return Conditional(network, num_classes, images=True)


class UNet(nn.Module):
    """Small U-Net for 28×28 image-to-image work; built by :func:`unet_generator`, ``forward(noisy)``."""

    def __init__(self, width: int = 32):
        super().__init__()
        # No bias before LeakyReLU (see dcgan_discriminator); padding 1 gives Keras's "same" sizes here.
        self.down1 = nn.Conv2d(1, width, 3, padding=1, bias=False)                            # 28
        self.down2 = nn.Conv2d(width, 2 * width, 4, stride=2, padding=1, bias=False)          # 14
        self.bottom = nn.Conv2d(2 * width, 2 * width, 4, stride=2, padding=1, bias=False)     # 7
        self.up2 = nn.ConvTranspose2d(2 * width, 2 * width, 4, stride=2, padding=1)           # 14
        self.up1 = nn.ConvTranspose2d(4 * width, width, 4, stride=2, padding=1)               # 28
        self.correction = nn.Conv2d(2 * width, 1, 3, padding=1)

    def forward(self, noisy: torch.Tensor) -> torch.Tensor:
        down1 = F.leaky_relu(self.down1(noisy), 0.2)
        down2 = F.leaky_relu(self.down2(down1), 0.2)
        bottom = F.leaky_relu(self.bottom(down2), 0.2)
        up2 = torch.cat([F.relu(self.up2(bottom)), down2], dim=1)   # channels first: concatenate on dim 1
        up1 = torch.cat([F.relu(self.up1(up2)), down1], dim=1)
        return torch.tanh(noisy + self.correction(up1))


class PatchDiscriminator(nn.Module):
    """PatchGAN discriminator; built by :func:`patch_discriminator`, ``forward(noisy, candidate)``."""

    def __init__(self, width: int = 32):
        super().__init__()
        self.network = nn.Sequential(
            nn.Conv2d(2, width, 4, stride=2, padding=1, bias=False), nn.LeakyReLU(0.2),              # 14
            nn.Conv2d(width, 2 * width, 4, stride=2, padding=1, bias=False), nn.LeakyReLU(0.2),      # 7
            nn.Conv2d(2 * width, 1, 3, padding=1),                                                  # 7×7 patches
        )

    def forward(self, noisy: torch.Tensor, candidate: torch.Tensor) -> torch.Tensor:
        return self.network(torch.cat([noisy, candidate], dim=1))


def unet_generator(width: int = 32) -> UNet:
    """Small U-Net for 28×28 image-to-image work (notebook 10, pix2pix): 28 → 14 → 7 → 14 → 28 with skips.

    Takes a noisy image ``N×1×28×28`` in ``[−1, 1]`` and returns the restored image in ``[−1, 1]``.
    The skip connections carry fine detail past the bottleneck; the output adds a learned
    correction to the input (residual learning).
    """
    return UNet(width)


def patch_discriminator(width: int = 32) -> PatchDiscriminator:
    """PatchGAN discriminator: judges (noisy, candidate) pairs as a 7×7 map of logits, one per patch.

    Called as ``discriminator(noisy, candidate)``; the Keras twin is called as ``discriminator([noisy, candidate])``.
    """
    return PatchDiscriminator(width)


def _call(network: nn.Module, inputs: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
    return network(inputs) if labels is None else network(inputs, labels)


def train_step(generator: nn.Module, discriminator: nn.Module, generator_optimizer, discriminator_optimizer,
               real: torch.Tensor, noise: torch.Tensor, *, labels: torch.Tensor | None = None,
               generator_loss: str = "non-saturating", real_label: float = 1.0) -> dict[str, float]:
    """One discriminator step, then one generator step; the losses and mean ``D`` outputs as floats.

    Notebook 09 writes this step out line by line next to its TensorFlow twin.

    Parameters
    ----------
    real : tensor
        A batch of real samples (``N×1×28×28`` images in ``[−1, 1]``, or ``N×1`` numbers for the toy).
    noise : tensor
        ``N×latent_dim`` standard normal noise.
    labels : array or tensor of int, optional
        Class labels for conditional networks (used for the real and the generated batch).
    generator_loss : {"non-saturating", "minimax"}
    real_label : float
        Target for real samples in the discriminator's loss (0.9: one-sided label smoothing).
    """
    if generator_loss not in GENERATOR_LOSSES:
        raise ValueError(f"generator_loss must be one of {GENERATOR_LOSSES}, got {generator_loss!r}")
    labels = None if labels is None else torch.as_tensor(labels, dtype=torch.long, device=real.device)
    generator.train()
    discriminator.train()
    # Discriminator step: maximise log D(x) + log(1 − D(G(z))), i.e. minimise the cross-entropy.
    with torch.no_grad():  # the fakes are only inputs here: no gradient into G
        fake = _call(generator, noise, labels)
    real_logits = _call(discriminator, real, labels)
    fake_logits = _call(discriminator, fake, labels)
    d_loss = (F.binary_cross_entropy_with_logits(real_logits, torch.full_like(real_logits, real_label))
              + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))
    discriminator_optimizer.zero_grad()
    d_loss.backward()
    discriminator_optimizer.step()
    # Generator step: make the updated D call the fakes real.
    fake_logits = _call(discriminator, _call(generator, noise, labels), labels)
    if generator_loss == "non-saturating":
        g_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))  # −log D(G(z))
    else:
        g_loss = -F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))  # log(1 − D(G(z)))
    generator_optimizer.zero_grad()
    g_loss.backward()  # also fills D's .grad; the next D step's zero_grad() clears it
    generator_optimizer.step()
    return {
        "d_loss": d_loss.item(),
        "g_loss": g_loss.item(),
        "d_real": torch.sigmoid(real_logits).mean().item(),
        "d_fake": torch.sigmoid(fake_logits).mean().item(),
    }


def latent_noise(count: int, latent_dim: int, seed: int) -> torch.Tensor:
    """``count × latent_dim`` standard normal noise drawn by NumPy, so both frameworks can use the same ``z``."""
    return torch.from_numpy(numpy_latent_noise(count, latent_dim, seed))


@torch.no_grad()
def generate_images(generator: nn.Module, count: int, *, latent_dim: int = 32, seed: int = 0,
                    labels=None, batch_size: int = 256) -> np.ndarray:
    """``count`` generated ``uint8`` images ``N×H×W`` (evaluation mode), from noise seeded by ``seed``."""
    generator.eval()
    noise = latent_noise(count, latent_dim, seed)
    labels = None if labels is None else torch.as_tensor(np.asarray(labels), dtype=torch.long)
    outputs = [
        _call(generator, noise[start:start + batch_size],
              None if labels is None else labels[start:start + batch_size])
        for start in range(0, count, batch_size)
    ]
    return tanh_range_to_images(torch.cat(outputs)[:, 0].numpy())


@torch.no_grad()
def cnn_features(model: nn.Module, images: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    """Features of the course CNN for the Fréchet distance: the 64 maps of ``pool2``, averaged over position.

    ``model`` is :func:`medcourse.pytorch.cnn_classifier`; images are ``uint8`` ``N×H×W`` as in the Dataset.
    Returns float64 ``(N, 64)``.
    """
    from medcourse.pytorch.data import to_tensor

    model.eval()
    trunk = model[: list(dict(model.named_children())).index("pool2") + 1]
    tensor = to_tensor(np.asarray(images))
    outputs = [trunk(tensor[start:start + batch_size]).mean(dim=(2, 3)) for start in range(0, len(tensor), batch_size)]
    return torch.cat(outputs).numpy().astype(np.float64)
