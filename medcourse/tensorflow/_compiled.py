"""Compiled (``tf.function``) forward passes and training steps that live exactly as long as their models.

A module-level ``tf.function`` that takes models as arguments traces one graph per model and keeps every
graph, and with it every variable the graph captured, for the life of the process (in TensorFlow-only notebook 11,
50–65 MB more after training). These caches are keyed weakly, and the compiled functions refer to the
models only through weak references, so dropping a model (or the optimiser of a training run) frees its
graphs too.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import tensorflow as tf

_INFERENCE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model → {sample shape: compiled forward}
_STEPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()      # owner → {key: (weak refs, compiled step)}


def inference(model, tensor: tf.Tensor) -> tf.Tensor:
    """``model(tensor, training=False)`` through a ``tf.function`` made once per model and sample shape.

    Eager calls run every layer as its own op and keep buffers for each batch size they see: on notebook 05's
    U-Net, 256-slice eager batches held about 500 MB more than this compiled pass, which is also about twice as
    fast. The batch dimension is left open, so a smaller last batch needs no new trace.
    """
    functions = _INFERENCE.setdefault(model, {})
    key = (tuple(tensor.shape[1:]), tensor.dtype)
    if key not in functions:
        reference = weakref.ref(model)
        functions[key] = tf.function(lambda inputs: reference()(inputs, training=False),
                                     input_signature=[tf.TensorSpec([None, *key[0]], key[1])])
    return functions[key](tensor)


def _weak(obj) -> Callable[[], object]:
    return (lambda: None) if obj is None else weakref.ref(obj)


def compiled_step(owner, objects: tuple, static: tuple, step: Callable) -> Callable:
    """``step(*objects, *static, *tensors)`` as a ``tf.function``, made once per ``owner``, ``objects`` and ``static``.

    ``owner`` is the object whose life bounds the step's (the generator's optimiser: one per training run);
    ``objects`` are the models and optimisers the step uses (``None`` allowed), held weakly; ``static`` are
    Python numbers and strings baked into the graph. The returned function takes the tensors.
    """
    entries = _STEPS.setdefault(owner, {})
    key = (tuple(id(obj) for obj in objects), static)
    entry = entries.get(key)
    if entry is None or any(ref() is not obj for ref, obj in zip(entry[0], objects, strict=True)):
        refs = tuple(_weak(obj) for obj in objects)
        entry = entries[key] = (refs, tf.function(
            lambda *tensors: step(*(ref() for ref in refs), *static, *tensors), reduce_retracing=True))
    return entry[1]
