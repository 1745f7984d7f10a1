"""Time ``fit`` in TensorFlow and in PyTorch on the same CNN and data, and print the ratio and the FLOP floor.

Usage::

    .venv/bin/python tools/benchmark_training.py [--variant notes|modern] [--epochs 10] [--train 4000]
                                                 [--onednn 1] [--threads N]

Each framework runs in its own process (TensorFlow reads ``TF_ENABLE_ONEDNN_OPTS`` when it is imported), on
the same ``lesions`` images (28×28, ``--train`` training and 500 validation images), with the same batches
and ``fit``'s defaults. It prints each fit's wall time and CPU time, the TensorFlow/PyTorch ratio of both,
the load average before and after (measure when ``uptime`` shows a load below 1.5, or compare CPU times), and
the floating-point work of the fit: multiply–adds counted layer by layer, ×2 for FLOPs, ×3 for a training
step (forward, and backward to the inputs and to the weights), plus the validation forwards. Divided by the
CPU's peak (cores × clock × FLOP per cycle) that is the time no implementation can beat on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VALIDATION_IMAGES = 500


def _layer_macs(shape: tuple[int, int, int], variant: str, classes: int) -> list[tuple[str, int]]:
    """Multiply–adds of one forward pass per layer of the course's CNN (the convolutions and the dense layer)."""
    height, width, channels = shape
    if variant == "notes":
        convs, same = [(32, True), (64, True)], False
    else:
        from medcourse.pytorch.cnn import MODERN_FILTERS

        convs, same = [(f, True) for f in MODERN_FILTERS], True
    layers = []
    for number, (filters, pooled) in enumerate(convs, start=1):
        if not same:
            height, width = height - 2, width - 2
        layers.append((f"conv{number}", height * width * 9 * channels * filters))
        channels = filters
        if pooled:
            height, width = height // 2, width // 2
    layers.append(("dense", height * width * channels * classes))
    return layers


def _peak_flops() -> tuple[float, str]:
    """Peak float32 FLOP/s of the CPUs this process may use, and how it was worked out."""
    from medcourse._seed import available_cpus

    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    megahertz = next((float(line.split(":")[1]) for line in info.splitlines() if line.startswith("cpu MHz")), 2000.0)
    per_cycle = 64 if " avx512f" in info else 32 if " avx2" in info else 8  # 2 FMA units × lanes × 2 FLOP
    cores = available_cpus()
    peak = cores * megahertz * 1e6 * per_cycle
    return peak, f"{cores} cores × {megahertz / 1000:.2f} GHz × {per_cycle} FLOP/cycle (float32 FMA, 2 units)"


def _fit_once(framework: str, variant: str, epochs: int, train: int, threads: int | None) -> dict:
    """Run one fit in this process and return its times (called in a child process per framework)."""
    import medcourse
    from medcourse.data import load_dataset

    data = load_dataset("lesions", train_size=train, val_size=VALIDATION_IMAGES, test_size=100)
    if framework == "pytorch":
        import torch

        import medcourse.pytorch as package
        if threads:
            torch.set_num_threads(threads)
    else:
        import tensorflow as tf

        import medcourse.tensorflow as package
        if threads:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
    medcourse.seed_everything(0)
    model = package.cnn_classifier((28, 28, 1), data.num_classes, variant=variant)
    wall, cpu = time.perf_counter(), time.process_time()
    history = package.fit(model, data, epochs=epochs, verbose=False)
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
            "val_auc": history.best()["auc"], "classes": data.num_classes}


def _child(framework: str, options: argparse.Namespace) -> dict:
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": str(options.onednn)}
    command = [sys.executable, __file__, "--child", framework, "--variant", options.variant, "--epochs",
               str(options.epochs), "--train", str(options.train), "--threads", str(options.threads or 0)]
    completed = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=ROOT, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"the {framework} run failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _report(options: argparse.Namespace, results: dict[str, dict], loads: tuple) -> None:
    tf, torch = results["tensorflow"], results["pytorch"]
    print(f"fit of the {options.variant!r} CNN, {options.epochs} epochs, {options.train} training + "
          f"{VALIDATION_IMAGES} validation images of 28×28, oneDNN {'on' if options.onednn else 'off'} in TensorFlow")
    for name, result in results.items():
        print(f"  {name:<11} wall {result['wall']:6.1f} s   CPU {result['cpu']:6.1f} s   "
              f"best validation AUC {result['val_auc']:.3f}")
    print(f"  ratio TensorFlow / PyTorch: wall {tf['wall'] / torch['wall']:.2f}, CPU {tf['cpu'] / torch['cpu']:.2f}")
    layers = _layer_macs((28, 28, 1), options.variant, tf["classes"])
    per_image = sum(macs for _, macs in layers)
    flops = 2 * per_image * options.epochs * (3 * options.train + VALIDATION_IMAGES)
    peak, how = _peak_flops()
    print(f"  work: {per_image / 1e6:.2f} M multiply–adds per image forward "
          f"({', '.join(f'{n} {m / 1e6:.2f} M' for n, m in layers)}); the fit is {flops / 1e12:.2f} TFLOP")
    print(f"  floor: {flops / peak:.1f} s at the CPU's peak of {peak / 1e9:.0f} GFLOP/s ({how}); "
          f"PyTorch reaches {flops / torch['wall'] / 1e9:.0f} GFLOP/s, TensorFlow {flops / tf['wall'] / 1e9:.0f}")
    print(f"  load average before {loads[0]:.2f}, after {loads[1]:.2f} (2 cores; below 1.5 is a quiet machine)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=("notes", "modern"), default="notes")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--train", type=int, default=4000, help="training images (default 4000)")
    parser.add_argument("--onednn", type=int, choices=(0, 1), default=1, help="TensorFlow's oneDNN kernels")
    parser.add_argument("--threads", type=int, default=0, help="threads per framework (default: theirs)")
    parser.add_argument("--child", choices=("tensorflow", "pytorch"), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child:
        print(json.dumps(_fit_once(options.child, options.variant, options.epochs, options.train, options.threads)))
        return 0
    before = os.getloadavg()[0]
    results = {name: _child(name, options) for name in ("tensorflow", "pytorch")}
    _report(options, results, (before, os.getloadavg()[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
