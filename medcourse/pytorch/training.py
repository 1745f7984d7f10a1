"""Training and evaluation in PyTorch: ``fit`` and ``evaluate``, mirrored by :mod:`medcourse.tensorflow.training`."""

from __future__ import annotations

import math
import time

import numpy as np
import torch
from torch import nn

import medcourse
from medcourse.training import History, class_weights, epoch_metrics

from .cnn import device, predict_proba

__all__ = ["evaluate", "fit"]


def _check_dataset(dataset) -> None:
    task = getattr(dataset, "task", None)
    if task not in ("binary", "multiclass"):
        raise ValueError(f"fit needs a Dataset with task 'binary' or 'multiclass', got task {task!r}")


def fit(model: nn.Module, dataset, *, epochs: int, batch_size: int = 64, seed: int = 0,
        learning_rate: float = 1e-3, class_weight: str | None = "balanced", augment: bool = False,
        live: bool = False, verbose: bool = True) -> History:
    """Train ``model`` on ``dataset.train`` with Adam, validate on ``dataset.val`` after every epoch.

    The model ends up with the weights of its best epoch: the highest validation ROC AUC (binary) or
    macro one-vs-rest AUC (multi-class), ties broken by the lower validation loss. AUC rather than
    accuracy because it does not depend on a decision threshold and is what medical papers report.

    Parameters
    ----------
    model : torch.nn.Module
        Outputs logits ``(N, K)``, e.g. :func:`cnn_classifier`.
    dataset : medcourse.data.Dataset
        A classification dataset (task ``"binary"`` or ``"multiclass"``).
    epochs : int
        Passes over the training split.
    batch_size : int
        Images per optimisation step.
    seed : int
        Seeds everything (:func:`medcourse.seed_everything`) and the loader's shuffling and augmentation
        (the TensorFlow twin gets the same batches): the same seed gives the same History. Seed before
        building the model too, for the same initial weights.
    learning_rate : float
        Adam's step size.
    class_weight : {"balanced", None}
        ``"balanced"`` weights each class's loss by ``N / (K · N_c)`` so rare classes count as much as
        common ones (:func:`medcourse.training.class_weights`); ``None`` weights all cases equally.
    augment : bool
        Random mirror/rotation/intensity changes of the training images (:func:`medcourse.pytorch.loader`).
    live : bool
        Redraw the training curves after every epoch (in a notebook).
    verbose : bool
        Show a progress bar and a closing summary line.

    Returns
    -------
    History
        Per-epoch loss, accuracy and AUC of the training and validation splits.
    """
    from tqdm.auto import tqdm

    from medcourse.plot import LiveHistory

    from .data import loader

    _check_dataset(dataset)
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    medcourse.seed_everything(seed)
    target = device()
    model.to(target)
    num_classes = dataset.num_classes
    train_labels = dataset.train[1]
    weights = torch.as_tensor(class_weights(train_labels, num_classes, class_weight), dtype=torch.float32,
                              device=target)
    loss_function = nn.CrossEntropyLoss(weight=weights)  # takes logits; weighted mean over the batch
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)

    history = History(framework="pytorch")
    best_state = None
    steps_per_epoch = math.ceil(len(train_labels) / batch_size)
    live_plot = LiveHistory(title="PyTorch") if live else None
    progress = tqdm(total=epochs * steps_per_epoch, desc="PyTorch", unit="batch", disable=not verbose, leave=True)
    batches = loader(dataset, "train", batch_size=batch_size, shuffle=True, seed=seed, augment=augment)
    for epoch in range(epochs):
        start = time.perf_counter()
        model.train()
        seen_labels, seen_probabilities = [], []
        for images, labels in batches:  # each pass is a new epoch: a new order (and augmentation) from the seed
            images, labels = images.to(target), labels.to(target).long()
            logits = model(images)
            loss = loss_function(logits, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            seen_labels.append(labels.cpu().numpy())
            seen_probabilities.append(torch.softmax(logits.detach(), dim=1).cpu().numpy())
            progress.update(1)
            progress.set_postfix(epoch=epoch + 1, loss=f"{loss.item():.3f}")
        train = epoch_metrics(np.concatenate(seen_labels), np.concatenate(seen_probabilities))
        val = epoch_metrics(dataset.val[1], predict_proba(model, dataset.val[0]))
        if history.record(train, val, time.perf_counter() - start):
            best_state = {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}
        progress.set_postfix(epoch=epoch + 1, loss=f"{train['loss']:.3f}", val_acc=f"{val['accuracy']:.3f}",
                             val_auc=f"{val['auc']:.3f}")
        if live_plot is not None:
            live_plot.update(history)
    progress.close()
    model.load_state_dict(best_state)
    if verbose:
        print(history)
    return history


def evaluate(model: nn.Module, dataset, split: str = "test") -> dict[str, float]:
    """Loss (mean cross-entropy), accuracy and AUC of ``model`` on one split of ``dataset``."""
    if split not in ("train", "val", "test"):
        raise ValueError(f"split must be 'train', 'val' or 'test', got {split!r}")
    images, labels = getattr(dataset, split)
    return epoch_metrics(labels, predict_proba(model, images))
