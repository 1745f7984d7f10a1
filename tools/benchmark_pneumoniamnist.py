"""Check the default training recipe on real PneumoniaMNIST against the MedMNIST v2 benchmark.

Needs the file once (online): `python -m medcourse fetch pneumoniamnist`. Then, offline:

    .venv/bin/python tools/benchmark_pneumoniamnist.py [EPOCHS]

Trains the course-notes CNN with `fit`'s defaults (inputs in [0, 1], balanced class weights, best
epoch by validation AUC) in both frameworks and prints test accuracy and AUC beside the benchmark
(ResNet-18 (28): ACC 0.854 / AUC 0.944; AutoKeras: 0.878 / 0.947), with the wall time of each fit.
"""

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import medcourse
from medcourse.data import load_dataset


def main(epochs: int = 10) -> int:
    data = load_dataset("pneumoniamnist", download=False)
    shape = (*data.image_shape, 1) if len(data.image_shape) == 2 else data.image_shape
    print(f"{data!r}\n{'framework':<12}{'accuracy':>10}{'AUC':>8}{'fit time':>11}")
    import medcourse.pytorch as torch_cnn
    import medcourse.tensorflow as tf_cnn

    for name, framework in (("tensorflow", tf_cnn), ("pytorch", torch_cnn)):
        medcourse.seed_everything(0)
        model = framework.cnn_classifier(shape, data.num_classes)
        start = time.perf_counter()
        framework.fit(model, data, epochs=epochs, verbose=False)
        seconds = time.perf_counter() - start
        scores = framework.evaluate(model, data, split="test")
        print(f"{name:<12}{scores['accuracy']:>10.3f}{scores['auc']:>8.3f}{seconds:>9.0f} s")
    print(f"{'ResNet-18':<12}{0.854:>10.3f}{0.944:>8.3f}   (MedMNIST v2, 28×28)")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10))
