"""GANs in PyTorch (notebooks 09–10): the course's recipe for 28×28 images, its losses, one training step, sampling.

Mirrored name for name by :mod:`medcourse.tensorflow.gan`. Images are ``N×C×H×W`` in ``[−1, 1]``
here (PyTorch's channels-first layout); discriminators output **logits**. Import as
``from medcourse.pytorch import gan as torch_gan``. Real images go in with
``medcourse.pytorch.to_tensor(images, value_range=(-1, 1))``.

The recipe (each choice is argued and measured in notebook 09 §5 and notebook 10 §1): DCGAN-style
networks sized for 28×28 (a generator of transposed convolutions with batch norm and ReLU, ``tanh``
out; a discriminator of strided convolutions with LeakyReLU 0.2, no pooling), Adam with ``β₁ = 0.5``
at ``1e-3``, and for the class-conditional GAN an **auxiliary classifier** in the discriminator
(AC-GAN): its class head learns the classes on real images and the generator is rewarded when its
images are classified as the class it was asked for.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from medcourse.gan import GENERATOR_LOSSES, tanh_range_to_images
from medcourse.gan import latent_noise as numpy_latent_noise

__all__ = [
    "class_loss",
    "cnn_features",
    "conditional_discriminator",
    "conditional_generator",
    "dcgan_discriminator",
    "dcgan_generator",
    "discriminator_loss",
    "gan_optimizers",
    "generate",
    "generate_images",
    "generator_loss",
    "latent_noise",
    "toy_discriminator",
    "toy_generator",
    "train_step",
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


def dcgan_generator(latent_dim: int = 32, width: int = 16) -> nn.Sequential:
    """DCGAN generator for 28×28 grey images: ``z`` → 7×7 → 14×14 → 28×28, ``tanh`` out (notebook 09 §5).

    The first transposed convolution (kernel 7 on a 1×1 "image" of ``latent_dim`` channels) is a dense
    layer whose output is already laid out as 7×7 feature maps. Batch normalisation keeps PyTorch's
    defaults (momentum 0.1 = the share of the new batch, eps 1e-5); the Keras twin states the same values.
    Output ``N×1×28×28`` in ``[−1, 1]``.
    """
    return nn.Sequential(
        nn.Unflatten(1, (latent_dim, 1, 1)),                                       # z as a 1×1 image, channels first
        nn.ConvTranspose2d(latent_dim, 2 * width, 7, bias=False),                  # 1 → 7
        nn.BatchNorm2d(2 * width), nn.ReLU(),
        nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1, bias=False),  # 7 → 14
        nn.BatchNorm2d(width), nn.ReLU(),
        nn.ConvTranspose2d(width, 1, 4, stride=2, padding=1),                      # 14 → 28
        nn.Tanh(),
    )


def dcgan_discriminator(width: int = 16, *, spectral_norm: bool = False, outputs: int = 1) -> nn.Sequential:
    """DCGAN discriminator for 28×28 grey images: strided conv ×2 (14, 7) → ``outputs`` logits per image."""
    return nn.Sequential(
        # No bias before a LeakyReLU, as in the Keras twin (whose graph optimiser trips over conv + bias + LeakyReLU).
        _spectral(nn.Conv2d(1, width, 4, stride=2, padding=1, bias=False), spectral_norm),          # 28 → 14
        nn.LeakyReLU(0.2),
        _spectral(nn.Conv2d(width, 2 * width, 4, stride=2, padding=1, bias=False), spectral_norm),  # 14 → 7
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        _spectral(nn.Linear(2 * width * 7 * 7, outputs), spectral_norm),
    )


class Conditional(nn.Module):
    """A generator that also takes class labels, ``forward(noise, labels)``: the one-hot label joins the noise."""

    def __init__(self, network: nn.Module, num_classes: int):
        super().__init__()
        self.network, self.num_classes = network, int(num_classes)

    def forward(self, noise: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        one_hot = F.one_hot(labels.long(), self.num_classes).to(noise.dtype)
        return self.network(torch.cat([noise, one_hot], dim=1))


def conditional_generator(num_classes: int, latent_dim: int = 32, width: int = 16) -> Conditional:
    """Class-conditional generator ``G(z, y)`` (notebook 10 §1): the DCGAN generator fed ``[z, one-hot(y)]``."""
    return Conditional(dcgan_generator(latent_dim + num_classes, width), num_classes)


def conditional_discriminator(num_classes: int, width: int = 16, *, spectral_norm: bool = False) -> nn.Sequential:
    """Auxiliary-classifier discriminator (AC-GAN, notebook 10 §1): ``D(x)`` → ``1 + num_classes`` logits.

    Column 0 is the real-vs-fake logit, columns ``1:`` the class logits. It does not take the label
    as an input: it *predicts* it, and :func:`train_step` trains that prediction.
    """
    return dcgan_discriminator(width, spectral_norm=spectral_norm, outputs=1 + num_classes)


# --- the losses, from logits (the NumPy references in medcourse.gan take probabilities) ---------------------


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor, *, real_label: float = 1.0) -> torch.Tensor:
    """``−[t log D(x) + (1 − t) log(1 − D(x))] − log(1 − D(G(z)))`` averaged, from logits; ``t`` = ``real_label``."""
    return (F.binary_cross_entropy_with_logits(real_logits, torch.full_like(real_logits, real_label))
            + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))


def generator_loss(fake_logits: torch.Tensor, kind: str = "non-saturating") -> torch.Tensor:
    """``−log D(G(z))`` (``"non-saturating"``) or ``log(1 − D(G(z)))`` (``"minimax"``) averaged, from logits."""
    if kind == "non-saturating":
        return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
    if kind == "minimax":
        return -F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
    raise ValueError(f"kind must be one of {GENERATOR_LOSSES}, got {kind!r}")


def class_loss(class_logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The auxiliary classifier's cross-entropy ``−log p(y | x)`` averaged, from ``N×K`` logits."""
    return F.cross_entropy(class_logits, labels.long())


def gan_optimizers(generator: nn.Module, discriminator: nn.Module, *, learning_rate: float = 1e-3,
                   discriminator_learning_rate: float | None = None,
                   beta_1: float = 0.5) -> tuple[torch.optim.Adam, torch.optim.Adam]:
    """Adam for ``G`` and for ``D`` with the GAN settings: ``β₁ = 0.5`` (less momentum in a moving game).

    ``discriminator_learning_rate`` defaults to ``learning_rate`` (notebook 09 §4 makes D faster on purpose).
    ``β₂ = 0.999`` and ``eps = 1e-8`` are PyTorch's defaults; the Keras twin sets them explicitly.
    """
    d_rate = learning_rate if discriminator_learning_rate is None else discriminator_learning_rate
    return (torch.optim.Adam(generator.parameters(), learning_rate, betas=(beta_1, 0.999)),
            torch.optim.Adam(discriminator.parameters(), d_rate, betas=(beta_1, 0.999)))


def _generate(generator: nn.Module, noise: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
    return generator(noise) if labels is None else generator(noise, labels)


def _split(logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Column 0: real-vs-fake logit; the rest: class logits (empty for an unconditional discriminator)."""
    return logits[:, 0], logits[:, 1:]


def train_step(generator: nn.Module, discriminator: nn.Module, generator_optimizer, discriminator_optimizer,
               real: torch.Tensor, noise: torch.Tensor, *, labels=None, generator_loss_kind: str = "non-saturating",
               real_label: float = 1.0, class_weight: float = 1.0) -> dict[str, float]:
    """One discriminator step, then one generator step against the updated discriminator (notebook 09 §2).

    With ``labels`` the discriminator must be an auxiliary-classifier one (:func:`conditional_discriminator`):
    both players add ``class_weight`` × :func:`class_loss` — D on real and generated images, G on its own.

    Parameters
    ----------
    real : tensor or float32 array
        A batch of real samples (``N×1×28×28`` images in ``[−1, 1]``, or ``N×1`` numbers for the toy).
    noise : tensor or float32 array
        ``N×latent_dim`` standard normal noise.
    labels : array or tensor of int, optional
        Class labels of the real batch; the generator is asked for the same classes.
    generator_loss_kind : {"non-saturating", "minimax"}
    real_label : float
        Target for real samples in the discriminator's loss (0.9: one-sided label smoothing).
    class_weight : float
        Weight of the auxiliary class loss.

    Returns
    -------
    dict of float
        ``d_loss``, ``g_loss``; ``d_real`` and ``d_fake``, the mean ``D`` output on real images and on the
        generated images of the generator step; ``d_accuracy``, the share of the discriminator step's
        real and generated images that ``D`` puts on the right side of 1/2; with labels also ``class_accuracy``
        (D's class head on the real batch).
    """
    if generator_loss_kind not in GENERATOR_LOSSES:
        raise ValueError(f"generator_loss_kind must be one of {GENERATOR_LOSSES}, got {generator_loss_kind!r}")
    real, noise = torch.as_tensor(real, dtype=torch.float32), torch.as_tensor(noise, dtype=torch.float32)
    labels = None if labels is None else torch.as_tensor(np.asarray(labels), dtype=torch.long)
    generator.train()
    discriminator.train()
    fake = _generate(generator, noise, labels)     # one forward pass of G, reused by both steps
    # Discriminator step: maximise log D(x) + log(1 − D(G(z))), i.e. minimise the cross-entropy.
    real_logits, real_classes = _split(discriminator(real))
    fake_logits, fake_classes = _split(discriminator(fake.detach()))   # detach: no gradient into G here
    d_loss = discriminator_loss(real_logits, fake_logits, real_label=real_label)
    if labels is not None:
        d_loss = d_loss + class_weight * (class_loss(real_classes, labels) + class_loss(fake_classes, labels))
    discriminator_optimizer.zero_grad()
    d_loss.backward()
    discriminator_optimizer.step()
    # Generator step: make the updated D call the fakes real (and, with labels, of the class asked for).
    step_logits, step_classes = _split(discriminator(fake))
    g_loss = generator_loss(step_logits, generator_loss_kind)
    if labels is not None:
        g_loss = g_loss + class_weight * class_loss(step_classes, labels)
    generator_optimizer.zero_grad()
    g_loss.backward()  # also fills D's .grad; the next D step's zero_grad() clears it
    generator_optimizer.step()
    with torch.no_grad():
        result = {"d_loss": d_loss, "g_loss": g_loss, "d_real": torch.sigmoid(real_logits).mean(),
                  "d_fake": torch.sigmoid(step_logits).mean(),
                  "d_accuracy": torch.cat([real_logits > 0, fake_logits < 0]).float().mean()}
        if labels is not None:
            result["class_accuracy"] = (real_classes.argmax(dim=1) == labels).float().mean()
    return {name: value.item() for name, value in result.items()}


def latent_noise(count: int, latent_dim: int, seed: int) -> torch.Tensor:
    """``count × latent_dim`` standard normal noise drawn by NumPy, so both frameworks can use the same ``z``."""
    return torch.from_numpy(numpy_latent_noise(count, latent_dim, seed))


@torch.no_grad()
def generate(generator: nn.Module, noise, *, labels=None, batch_size: int = 256) -> np.ndarray:
    """The generator's raw outputs for ``noise`` (evaluation mode) as a float32 NumPy array, batch by batch.

    Images come out ``N×1×H×W`` in ``[−1, 1]`` (channels first), the toy's numbers ``N×1``.
    """
    generator.eval()
    noise = torch.as_tensor(np.asarray(noise, dtype=np.float32))
    labels = None if labels is None else torch.as_tensor(np.asarray(labels), dtype=torch.long)
    if labels is not None and labels.shape != noise.shape[:1]:
        raise ValueError(f"labels must hold one class per noise vector ({len(noise)}), got shape {tuple(labels.shape)}")
    outputs = [
        _generate(generator, noise[start:start + batch_size],
                  None if labels is None else labels[start:start + batch_size])
        for start in range(0, len(noise), batch_size)
    ]
    return torch.cat(outputs).numpy()


def generate_images(generator: nn.Module, count: int, *, latent_dim: int = 32, seed: int = 0,
                    labels=None, batch_size: int = 256, noise=None) -> np.ndarray:
    """``count`` generated ``uint8`` images ``N×H×W`` (evaluation mode), from noise seeded by ``seed``.

    ``noise`` (``count × latent_dim``, e.g. from :func:`medcourse.gan.interpolate_latent`) replaces the seeded draw.
    """
    noise = numpy_latent_noise(count, latent_dim, seed) if noise is None else np.asarray(noise, dtype=np.float32)
    if noise.shape != (count, latent_dim):
        raise ValueError(f"noise must have shape (count, latent_dim) = {(count, latent_dim)}, got {noise.shape}")
    return tanh_range_to_images(generate(generator, noise, labels=labels, batch_size=batch_size)[:, 0])


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
