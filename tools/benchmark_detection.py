"""Benchmark of notebook 06's detector: CPM and AP@0.5 per class over seeds, with CPU and wall time of each fit.

Trains ``heatmap_detector`` with the notebook's defaults (12 epochs, batch 4, learning rate 3e-3, width 16)
on the BCCD smears and, with ``--fields``, on the simulated lesion fields (400 training fields, 4 epochs,
batch 8, as section 9), once per seed and framework, and prints each run and the mean ± sd over seeds
as JSON lines (a seed seeds the weights and the batches, and for the fields also generates them). Red cells
are scored on the test smears whose red cells were annotated.

    python tools/benchmark_detection.py --seeds 0 1 2 --frameworks pytorch tensorflow --fields

Each run measures the process CPU time of the fit (``time.process_time``) and its wall time; note the
load average printed with them (other work on the machine inflates the wall time).
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np

import medcourse
from medcourse.data import load_dataset
from medcourse.detection import class_scores

SETTINGS = {"bccd": {"epochs": 12, "batch_size": 4}, "fields": {"epochs": 4, "batch_size": 8}}


def framework_module(name: str, threads: int | None):
    """The framework's detection module, its thread pool limited to ``threads`` when given."""
    if name == "pytorch":
        import torch

        if threads:
            torch.set_num_threads(threads)
        import medcourse.pytorch.detection as module
    else:
        import tensorflow as tf

        if threads:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        import medcourse.tensorflow.detection as module
    return module


def one_run(module, data, seed: int, settings: dict, width: int, learning_rate: float) -> dict:
    """Fit once and score the test split: CPU and wall seconds, and (CPM, AP@0.5) per class."""
    medcourse.seed_everything(seed)
    shape = data.train[0].shape[1:]
    model = module.heatmap_detector((*shape, 1) if len(shape) == 2 else shape, data.num_classes, width=width)
    cpu, wall = time.process_time(), time.perf_counter()
    history = module.fit_detector(model, data, seed=seed, learning_rate=learning_rate, verbose=False, **settings)
    result = {"cpu_s": round(time.process_time() - cpu, 1), "wall_s": round(time.perf_counter() - wall, 1),
              "load": round(os.getloadavg()[0], 1), "best_epoch": history.best_epoch}
    images, labels = data.test
    found = module.detect(model, images)
    annotated = np.asarray(data.info.get("rbc_annotated", {}).get("test", np.ones(len(images), bool)))
    for k, name in enumerate(data.classes):
        keep = np.flatnonzero(annotated) if name == "RBC" else np.arange(len(images))
        scores = class_scores(labels[keep], [found[i] for i in keep], k)
        result[name] = {"cpm": round(scores["cpm"], 3), "ap": round(scores["ap"], 3)}
    return result


def summary(runs: list[dict], classes) -> dict:
    """Mean ± sd over the runs of each class's CPM and AP, and of the fit times."""
    numbers = {f"{name} {what}": [run[name][what] for run in runs] for name in classes for what in ("cpm", "ap")}
    numbers |= {"cpu_s": [run["cpu_s"] for run in runs], "wall_s": [run["wall_s"] for run in runs]}
    return {key: f"{np.mean(values):.3f} ± {np.std(values, ddof=1) if len(values) > 1 else 0.0:.3f}"
            for key, values in numbers.items()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--frameworks", nargs="+", default=["pytorch", "tensorflow"], choices=["pytorch", "tensorflow"])
    parser.add_argument("--fields", action="store_true", help="also train on the simulated lesion fields")
    parser.add_argument("--threads", type=int, default=None, help="limit the framework's threads (default: its own)")
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    arguments = parser.parse_args(argv)
    datasets = {"bccd": lambda seed: load_dataset("bccd")}
    if arguments.fields:
        datasets["fields"] = lambda seed: load_dataset("lesions", detection=True, train_size=400, val_size=100,
                                                       test_size=200, seed=seed)
    for framework in arguments.frameworks:
        module = framework_module(framework, arguments.threads)
        for name, make in datasets.items():
            runs = []
            for seed in arguments.seeds:
                data = make(seed)
                runs.append(one_run(module, data, seed, SETTINGS[name], arguments.width, arguments.learning_rate))
                print(json.dumps({"framework": framework, "data": name, "seed": seed, **runs[-1]}), flush=True)
            print(json.dumps({"framework": framework, "data": name, "seeds": arguments.seeds,
                              "mean ± sd": summary(runs, data.classes)}), flush=True)


if __name__ == "__main__":
    main()
