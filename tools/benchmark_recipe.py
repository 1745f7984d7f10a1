"""The default recipe on real MedMNIST data, beside the MedMNIST v2 benchmark (issue 14 item 5, notebook 04 §6).

Trains the modern CNN and the lecture notes' CNN with ``fit``'s defaults, in both frameworks, for several
seeds, and prints test AUC and accuracy (mean ± sd) beside the published MedMNIST v2 rows, with each fit's
wall and CPU time. The shipped sets (``breastmnist``, ``retinamnist``) run offline; a set the repository
does not ship, such as the held-out check ``pneumoniamnist``, needs the file once, on a machine with a
network::

    .venv/bin/python -m medcourse fetch pneumoniamnist        # online, once (4 MB)
    .venv/bin/python tools/benchmark_recipe.py pneumoniamnist  # then offline

Usage::

    .venv/bin/python tools/benchmark_recipe.py [DATASET ...] [--seeds 0 1 2] [--epochs 10]
        [--variants modern notes] [--frameworks pytorch tensorflow] [--threads N] [--json results.json]

For PneumoniaMNIST it also says whether each modern-CNN run reached MedMNIST v2's ResNet-18 (28)
(test AUC ≥ 0.944 and ACC ≥ 0.854) within 60 s of fit. Run it when the machine is quiet (``uptime`` below
1.5) for times that mean something; the AUC and accuracy do not depend on the load.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # measured faster (tools/benchmark_training.py)

import numpy as np

import medcourse
from medcourse.data import load_dataset
from medcourse.recipe import MEDMNIST_V2

TARGET = {"dataset": "pneumoniamnist", "auc": 0.944, "accuracy": 0.854, "seconds": 60.0}


def _framework(name: str, threads: int):
    if name == "pytorch":
        import torch

        import medcourse.pytorch as package
        if threads:
            torch.set_num_threads(threads)
        return package
    import tensorflow as tf

    import medcourse.tensorflow as package
    if threads:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
    return package


def run_once(package, data, variant: str, seed: int, epochs: int) -> dict:
    """One seeded fit with the defaults, then the test split once: AUC, accuracy, times."""
    shape = (*data.image_shape, 1) if len(data.image_shape) == 2 else tuple(data.image_shape)
    medcourse.seed_everything(seed)
    model = package.cnn_classifier(shape, data.num_classes, variant=variant)
    wall, cpu = time.perf_counter(), time.process_time()
    history = package.fit(model, data, epochs=epochs, seed=seed, verbose=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    test = package.evaluate(model, data, "test")
    return {"auc": test["auc"], "accuracy": test["accuracy"], "seconds": wall, "cpu_seconds": cpu,
            "best_epoch": history.best_epoch, "threshold": getattr(model, "decision_threshold", None)}


def _summary(runs: list[dict]) -> str:
    auc, accuracy = (np.array([r[k] for r in runs]) for k in ("auc", "accuracy"))
    seconds = np.mean([r["seconds"] for r in runs])
    return (f"AUC {auc.mean():.3f} ± {auc.std(ddof=1) if len(runs) > 1 else 0:.3f}   ACC {accuracy.mean():.3f} ± "
            f"{accuracy.std(ddof=1) if len(runs) > 1 else 0:.3f}   fit {seconds:5.1f} s")


def _target_lines(runs: list[dict]) -> list[str]:
    lines = []
    for seed, r in enumerate(runs):
        met = r["auc"] >= TARGET["auc"] and r["accuracy"] >= TARGET["accuracy"] and r["seconds"] <= TARGET["seconds"]
        lines.append(f"      run {seed}: AUC {r['auc']:.3f} ACC {r['accuracy']:.3f} in {r['seconds']:.0f} s — "
                     f"{'reaches' if met else 'misses'} ResNet-18 (28) (AUC ≥ 0.944, ACC ≥ 0.854, ≤ 60 s)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="*", default=["breastmnist", "retinamnist"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--variants", nargs="+", choices=("modern", "notes"), default=["modern", "notes"])
    parser.add_argument("--frameworks", nargs="+", choices=("pytorch", "tensorflow"), default=["pytorch", "tensorflow"])
    parser.add_argument("--threads", type=int, default=0, help="threads per framework (default: theirs)")
    parser.add_argument("--json", help="also write every run's numbers to this file")
    options = parser.parse_args(argv)
    packages = {name: _framework(name, options.threads) for name in options.frameworks}
    results = {}
    print(f"load average {os.getloadavg()[0]:.2f}; {options.epochs} epochs; seeds {options.seeds}")
    for name in options.datasets:
        data = load_dataset(name, download=False)
        print(f"\n{name}: {len(data.train[1])} train / {len(data.val[1])} val / {len(data.test[1])} test")
        for model_name, (auc, accuracy) in MEDMNIST_V2.get(name, {}).items():
            print(f"  MedMNIST v2 {model_name:<22} AUC {auc:.3f}           ACC {accuracy:.3f}")
        for variant in options.variants:
            for framework, package in packages.items():
                runs = [run_once(package, data, variant, seed, options.epochs) for seed in options.seeds]
                results[f"{name}/{variant}/{framework}"] = runs
                print(f"  ours: {variant:<6} CNN, {framework:<10}   {_summary(runs)}", flush=True)
                if name == TARGET["dataset"] and variant == "modern":
                    print("\n".join(_target_lines(runs)))
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")
    if options.json:
        with open(options.json, "w") as handle:
            json.dump(results, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
