"""The mirror is enforced: ``medcourse.pytorch`` and ``medcourse.tensorflow`` have the same modules, the same
``__all__``, the same signatures and the same kind of return value, except where this file says why not.

The placement rule (CONTRIBUTING.md): topic *T* is ``medcourse/T.py`` (or a package ``medcourse/T/``) with the
NumPy reference, plus ``medcourse/pytorch/T.py`` and ``medcourse/tensorflow/T.py``, plus ``tests/test_T.py``.
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "medcourse"
TWIN_MODULES = sorted(p.stem for p in (PACKAGE / "pytorch").glob("*.py") if p.stem != "__init__")

#: Deliberate differences, each with its reason. Keys: (module, name, what). The parity checks skip exactly
#: these; a difference not listed here fails the test, and an entry that no longer differs fails it too.
ALLOWED = {
    # The frameworks' own dtype objects: torch.float32 versus the Keras dtype name "float32".
    ("rnn", "rnn_from_numpy", "defaults"): "dtype is torch.float32 in PyTorch, the string 'float32' in Keras",
    # A keras.Model subclass must accept and pass on Keras's own keyword arguments (name=, dtype=, …).
    ("rnn", "LectureRNN", "parameters"): "the Keras model takes **kwargs for keras.Model (name, dtype, …)",
    # Each framework's own optimiser class: a pair of Adam optimisers either way.
    ("gan", "gan_optimizers", "return kind"): "two torch.optim.Adam in PyTorch, two keras.optimizers.Adam in Keras",
}

#: Differences in behaviour that signatures cannot show; documented at the line where they matter and in
#: the notebooks, listed here so the mirror's exceptions are all in one place.
BEHAVIOUR = {
    "cnn_classifier": "PyTorch returns logits (nn.CrossEntropyLoss applies the softmax); Keras ends with a "
                      "softmax, as in the lecture notes (predict_proba gives probabilities in both)",
    "device": "names the device the framework's way: 'cuda'/'cpu' (PyTorch) or '/GPU:0'/'/CPU:0' (TensorFlow)",
    "save_weights": "PyTorch writes a state_dict file; Keras needs a name ending in '.weights.h5'",
    "conditional_generator": "called as G(noise, labels) in PyTorch, G([noise, labels]) in Keras",
    "batches": "yields NCHW tensors from a DataLoader (PyTorch) or NHWC tensors from a tf.data.Dataset",
    "fit": "a custom loss= follows the framework's argument order: loss(logits, labels) in PyTorch, "
           "loss(labels, probabilities) in Keras",
}

#: Annotations that name the same kind of thing in each framework (the "return kind" of a twin).
KINDS = {
    "model": {"nn.Module", "nn.Sequential", "keras.Model", "keras.Sequential", "RowClassifier", "SequenceModel",
              "Conditional", "UNet", "PatchDiscriminator", "LectureRNN"},
    "layer": {"nn.RNN", "keras.layers.SimpleRNN"},
    "tensor": {"torch.Tensor", "tf.Tensor"},
    "batches": {"DataLoader", "tf.data.Dataset"},
    "history": {"History", "medcourse.training.History"},
}


def _kind(annotation) -> str:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", repr(annotation))
    return next((kind for kind, names in KINDS.items() if text in names), text)


@pytest.fixture(scope="module")
def twins():
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    return {name: (importlib.import_module(f"medcourse.pytorch.{name}"),
                   importlib.import_module(f"medcourse.tensorflow.{name}")) for name in TWIN_MODULES}


def test_every_twin_module_exists_on_both_sides_with_a_numpy_topic_and_a_test_file():
    # Private modules (``_compiled``: TensorFlow's graph caches) are one framework's plumbing, not twins.
    tensorflow = sorted(p.stem for p in (PACKAGE / "tensorflow").glob("*.py") if not p.stem.startswith("_"))
    pytorch = sorted(p.stem for p in (PACKAGE / "pytorch").glob("*.py") if not p.stem.startswith("_"))
    assert tensorflow == pytorch == TWIN_MODULES
    for name in TWIN_MODULES:
        assert (PACKAGE / f"{name}.py").is_file() or (PACKAGE / name / "__init__.py").is_file(), \
            f"topic {name!r} has framework twins but no NumPy reference medcourse/{name}.py (or package)"
        assert (ROOT / "tests" / f"test_{name}.py").is_file(), f"topic {name!r} has no tests/test_{name}.py"


def test_the_packages_export_the_same_names():
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    import medcourse.pytorch as pytorch
    import medcourse.tensorflow as tensorflow

    assert pytorch.__all__ == tensorflow.__all__


@pytest.mark.parametrize("name", TWIN_MODULES)
def test_twin_modules_have_the_same_all(twins, name):
    pytorch, tensorflow = twins[name]
    assert sorted(pytorch.__all__) == sorted(tensorflow.__all__)
    for public in pytorch.__all__:
        assert hasattr(pytorch, public) and hasattr(tensorflow, public), public


def _signature(obj) -> inspect.Signature:
    return inspect.signature(obj.__init__ if inspect.isclass(obj) else obj)


def _differences(module: str, name: str, pytorch_obj, tensorflow_obj) -> dict[str, tuple]:
    a, b = _signature(pytorch_obj), _signature(tensorflow_obj)
    found = {}
    params_a = [(p.name, p.kind) for p in a.parameters.values()]
    params_b = [(p.name, p.kind) for p in b.parameters.values()]
    if params_a != params_b:
        found["parameters"] = (params_a, params_b)
    else:
        defaults_a = [repr(p.default) for p in a.parameters.values()]
        defaults_b = [repr(p.default) for p in b.parameters.values()]
        if defaults_a != defaults_b:
            found["defaults"] = (defaults_a, defaults_b)
    if not inspect.isclass(pytorch_obj) and _kind(a.return_annotation) != _kind(b.return_annotation):
        found["return kind"] = (a.return_annotation, b.return_annotation)
    return found


@pytest.mark.parametrize("name", TWIN_MODULES)
def test_twins_have_the_same_parameters_defaults_and_return_kind(twins, name):
    pytorch, tensorflow = twins[name]
    unexplained, found_here = [], set()
    for public in pytorch.__all__:
        found = _differences(name, public, getattr(pytorch, public), getattr(tensorflow, public))
        unexplained += [(public, what, detail) for what, detail in found.items() if (name, public, what) not in ALLOWED]
        found_here |= {(name, public, what) for what in found}
    stale = [entry for entry in ALLOWED if entry[0] == name and entry not in found_here]
    assert unexplained == [], "twins differ without an entry in ALLOWED (say why, or make them agree)"
    assert stale == [], "an ALLOWED entry no longer differs: remove it"


def test_every_listed_behaviour_names_a_public_twin(twins):
    exported = {public for pytorch, _ in twins.values() for public in pytorch.__all__}
    assert set(BEHAVIOUR) <= exported


@pytest.mark.parametrize(("package", "blocked", "extra"), [
    ("medcourse.pytorch", "torch", "pytorch"), ("medcourse.tensorflow", "tensorflow", "tensorflow")])
def test_a_missing_framework_is_named_with_the_install_line(package, blocked, extra):
    code = (f"import sys; sys.modules[{blocked!r}] = None\n"
            f"try:\n    import {package}\nexcept ImportError as error:\n    print(error)\n")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert f'pip install "medcourse[{extra}]"' in completed.stdout


NUMPY_MODULES = ["medcourse.cnn", "medcourse.rnn", "medcourse.gan", "medcourse.conv", "medcourse.metrics",
                 "medcourse.training", "medcourse.transfer", "medcourse.data.transforms"]


def test_framework_free_modules_and_the_bridge_import_no_framework():
    code = ("import sys, json, importlib\n"
            f"for name in {NUMPY_MODULES!r}: importlib.import_module(name)\n"
            "import numpy as np\n"
            "from medcourse.transfer import dense_kernel_to_torch\n"
            "dense_kernel_to_torch(np.zeros((2 * 2 * 3, 4)), (2, 2, 3))\n"
            "print(json.dumps([m for m in ('tensorflow', 'torch', 'keras') if m in sys.modules]))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert completed.stdout.strip().splitlines()[-1] == "[]"
