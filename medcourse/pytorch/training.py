"""Training and evaluation in PyTorch (notebook 04 §5): ``fit``, ``evaluate``, predictions, checkpoints.

Mirrored name for name by :mod:`medcourse.tensorflow.training`. The training step and loop are written
out here; the bookkeeping around them (progress bar, metrics, best epoch) is :class:`medcourse.training.TrainingRun`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

import medcourse
from medcourse.recipe import check_recipe, check_threshold, choose_threshold, evaluate_decided, learning_rates
from medcourse.training import TrainingRun, check_fit_arguments, check_images, class_weights

from .data import batches, to_tensor

__all__ = ["device", "evaluate", "fit", "load_weights", "predict_proba", "save_weights"]

#: The tasks ``fit`` trains: a class per image, or a class per pixel.
FIT_TASKS = ("binary", "multiclass", "segmentation")


def device() -> str:
    """The device to train on: ``"cuda"`` when a GPU is present, otherwise ``"cpu"`` (``model.to(device())``).

    Same rule as :func:`medcourse.tensorflow.device`, which names devices TensorFlow's way.
    """
    return "cuda" if torch.cuda.is_available() else "cpu"


def _probabilities(logits: torch.Tensor) -> np.ndarray:
    """Softmax over the class axis (dim 1), as NumPy: ``(N, K)``, or ``(N, H, W, K)`` for per-pixel logits."""
    probabilities = torch.softmax(logits, dim=1)
    if probabilities.ndim == 4:
        probabilities = probabilities.permute(0, 2, 3, 1)  # N×K×H×W → N×H×W×K, as the Keras twin outputs
    return probabilities.cpu().numpy()


def fit(model: nn.Module, dataset, *, epochs: int, batch_size: int = 64, seed: int = 0,
        learning_rate: float = 2e-3, weight_decay: float = 1e-4, schedule: str = "cosine",
        class_weight: str | None = "balanced", threshold: str | None = "youden", augment: bool = False,
        loss=None, live: bool = False, verbose: bool = True) -> medcourse.training.History:
    """Train ``model`` on ``dataset.train`` with AdamW, validate on ``dataset.val`` after every epoch.

    The model ends up with the weights of its best epoch: the highest validation ROC AUC (classification,
    macro one-vs-rest for several classes) or mean foreground Dice (segmentation), ties broken by the lower
    validation loss. AUC rather than accuracy because it does not depend on a decision threshold.

    Parameters
    ----------
    model : torch.nn.Module
        Outputs logits ``(N, K)`` (e.g. :func:`medcourse.pytorch.cnn_classifier`) or ``(N, K, H, W)`` per pixel.
    dataset : medcourse.data.Dataset
        Task ``"binary"``, ``"multiclass"`` or ``"segmentation"``.
    epochs : int
        Passes over the training split.
    batch_size : int
        Images per optimisation step.
    seed : int
        Seeds everything (:func:`medcourse.seed_everything`) and the batches' order and augmentation (the
        TensorFlow twin gets the same batches): the same seed gives the same History. Seed before building
        the model too, for the same initial weights.
    learning_rate : float
        AdamW's largest step size, the schedule's peak (with ``"cosine"`` the mean step is about half of it).
    weight_decay : float
        Decoupled weight decay (AdamW, ``w ← w − η·λ·w`` each step, also for biases and batch-norm
        parameters, as in Keras's ``AdamW``): pulls unused weights towards zero; ``0`` gives plain Adam.
    schedule : {"cosine", "constant"}
        The step size over the run (:func:`medcourse.recipe.learning_rates`): a short warm-up then a
        cosine decay to zero, or ``learning_rate`` throughout.
    class_weight : {"balanced", None}
        ``"balanced"`` weights each class's loss by ``N / (K · N_c)`` (:func:`medcourse.training.class_weights`;
        pixels for segmentation) so rare classes count as much as common ones; ``None`` weights all equally.
    threshold : {"youden", None}
        Two classes: after training, set ``model.decision_threshold`` to the threshold on ``p₁`` that maximises
        sensitivity + specificity on the **validation** split (:func:`medcourse.metrics.youden_threshold`);
        :func:`evaluate` then reports the accuracy of that decision. ``None``: the most probable class.
    augment : bool
        Random mirror/rotation/intensity changes of the training images (:func:`medcourse.pytorch.batches`).
    loss : callable, optional
        ``loss(logits, labels) -> scalar tensor``, PyTorch's argument order (as ``nn.CrossEntropyLoss``), to
        minimise instead of the class-weighted cross-entropy (``class_weight`` then has no effect), e.g. a soft
        Dice loss for segmentation (notebook 05).
    live : bool
        Redraw the training curves after every epoch (in a notebook).
    verbose : bool
        Show a progress bar and a closing summary line.

    Returns
    -------
    History
        Per-epoch loss and the task's metrics (:data:`medcourse.training.TASK_METRICS`) for both splits.
    """
    if getattr(dataset, "task", None) == "detection":  # a detector is trained by its own loop (notebook 06)
        from .detection import fit_detector
        return fit_detector(model, dataset, epochs=epochs, batch_size=batch_size, seed=seed,
                            learning_rate=learning_rate, augment=augment, loss=loss, live=live, verbose=verbose)
    epochs = check_fit_arguments(dataset, epochs, FIT_TASKS)
    learning_rate, weight_decay, schedule = check_recipe(learning_rate, weight_decay, schedule)
    threshold = check_threshold(threshold)
    medcourse.seed_everything(seed)
    target = device()
    model.to(target)
    weights = class_weights(dataset.train[1], dataset.num_classes, class_weight)
    # CrossEntropyLoss takes logits (N, K) or (N, K, H, W) and class indices (N,) or (N, H, W).
    loss_function = loss or nn.CrossEntropyLoss(weight=torch.as_tensor(weights, dtype=torch.float32, device=target))
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=weight_decay)
    train_batches = batches(dataset, "train", batch_size=batch_size, shuffle=True, seed=seed, augment=augment)
    rates = iter(learning_rates(len(train_batches), epochs, learning_rate, schedule).tolist())
    run = TrainingRun("pytorch", dataset.task, epochs=epochs, steps_per_epoch=len(train_batches), live=live,
                      verbose=verbose, title="PyTorch")
    best_state = None
    for _ in run.epochs():
        model.train()
        for images, labels in train_batches:  # each pass is a new epoch: a new order (and augmentation)
            images, labels = images.to(target), labels.to(target)
            optimizer.param_groups[0]["lr"] = next(rates)  # the schedule's step size, as in the Keras twin
            logits = model(images)
            batch_loss = loss_function(logits, labels)
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
            run.batch(batch_loss.item(), labels.cpu().numpy(), _probabilities(logits.detach()))
        if run.end_epoch(dataset.val[1], predict_proba(model, dataset.val[0])):
            best_state = {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}
    model.load_state_dict(best_state)
    model.decision_threshold = choose_threshold(dataset, predict_proba(model, dataset.val[0]), threshold)
    return run.finish()


def evaluate(model: nn.Module, dataset, split: str = "test") -> dict[str, float]:
    """Loss and the task's metrics (accuracy and AUC, or Dice) of ``model`` on one split of ``dataset``.

    The accuracy is that of the model's decision: ``p₁ ≥ model.decision_threshold`` when :func:`fit` chose a
    threshold on validation (two classes), otherwise the most probable class.
    """
    return evaluate_decided(dataset, split, lambda images: predict_proba(model, images),
                            getattr(model, "decision_threshold", None))


@torch.no_grad()
def predict_proba(model: nn.Module, images: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    """Class probabilities for ``uint8`` images as the Dataset holds them: ``(N, K)``, or ``(N, H, W, K)`` per pixel.

    Scales like :func:`medcourse.pytorch.batches`, switches the model to evaluation mode and applies the
    softmax to the logits (per-pixel probabilities come channels last, as in the Keras twin).
    """
    check_images(images, getattr(model, "input_shape", None))  # the course's builders set it as (H, W, C)
    tensor = to_tensor(images)
    model.eval()
    target = next(model.parameters()).device
    outputs = [_probabilities(model(tensor[start:start + batch_size].to(target)))
               for start in range(0, len(tensor), batch_size)]
    return np.concatenate(outputs).astype(np.float32)


def save_weights(model: nn.Module, path: str | Path) -> Path:
    """Save the model's weights (its ``state_dict``) to ``path``, e.g. ``"cnn.pt"``; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)
    return path


def load_weights(model: nn.Module, path: str | Path) -> nn.Module:
    """Load weights saved by :func:`save_weights` into ``model`` safely (``weights_only=True``: no pickled code runs)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no weights file at {path}")
    state = torch.load(path, map_location=next(model.parameters()).device, weights_only=True)
    model.load_state_dict(state)
    return model
