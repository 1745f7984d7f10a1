"""Benchmark the notebook 05 U-Net on the hippocampus slices: CPU time, wall time, per-patient Dice and HD95.

Tune with CPU time on a shared machine (the wall time depends on what else runs); the load average is printed
with every result. One JSON line per run:

    .venv/bin/python tools/benchmark_segmentation.py --framework pytorch --epochs 4 --threads 1
    .venv/bin/python tools/benchmark_segmentation.py --framework tensorflow --base-filters 8 --batch-size 16

On an idle 2-core machine with two threads, wall ≈ CPU time / 1.6–1.9 (measure the ratio once with
``--threads 2`` when ``uptime`` shows a load below 1.5).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # as the notebooks' setup cell


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", choices=("pytorch", "tensorflow"), default="pytorch")
    parser.add_argument("--base-filters", type=int, default=8)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--no-batch-norm", action="store_true")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--loss", choices=("dice+ce", "dice", "ce"), default="dice+ce")
    parser.add_argument("--augment", action="store_true")
    parser.add_argument("--full-frame", action="store_true", help="48×64 instead of the 40×56 crop")
    parser.add_argument("--threads", type=int, default=0, help="0: the framework's default")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def _framework(name: str, threads: int):
    if name == "pytorch":
        import torch

        import medcourse.pytorch as package
        from medcourse.pytorch import segmentation
        if threads:
            torch.set_num_threads(threads)
        return package, segmentation
    import tensorflow as tf

    import medcourse.tensorflow as package
    from medcourse.tensorflow import segmentation
    if threads:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    return package, segmentation


def main() -> None:
    import numpy as np

    import medcourse
    from medcourse.data import Dataset, hippocampus, load_dataset
    from medcourse.segmentation import patient_scores

    options = _arguments()
    package, segmentation = _framework(options.framework, options.threads)
    data = load_dataset("hippocampus")
    if not options.full_frame:  # every labelled pixel lies in rows 7–40 and columns 7–55 of the frame
        def crop(images):
            return np.ascontiguousarray(images[:, 4:44, 4:60])
        cropped = Dataset.from_arrays(*((crop(x), crop(y)) for x, y in data.splits().values()),
                                      task="segmentation", classes=data.classes, name="hippocampus 40×56")
    else:
        cropped = data
    medcourse.seed_everything(options.seed)
    model = segmentation.unet((*cropped.train[0].shape[1:], 1), data.num_classes, base_filters=options.base_filters,
                              depth=options.depth, batch_norm=not options.no_batch_norm)
    loss = {"dice+ce": segmentation.dice_cross_entropy_loss(data.num_classes),
            "dice": segmentation.soft_dice_loss(data.num_classes), "ce": None}[options.loss]
    cpu, wall = time.process_time(), time.perf_counter()
    history = package.fit(model, cropped, epochs=options.epochs, batch_size=options.batch_size, seed=options.seed,
                          learning_rate=options.learning_rate, loss=loss, augment=options.augment, verbose=False)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    predicted = np.zeros(data.test[1].shape, np.uint8)
    frame = (slice(None), slice(4, 44), slice(4, 60)) if not options.full_frame else (slice(None),)
    predicted[frame] = package.predict_proba(model, cropped.test[0]).argmax(-1)
    scores = patient_scores(hippocampus.volumes(data, "test", predicted=predicted), data.classes)
    print(json.dumps({
        **vars(options), "fit_cpu_s": round(cpu, 1), "fit_wall_s": round(wall, 1), "load_average": os.getloadavg()[0],
        "val_dice": [round(v, 3) for v in history.val["dice"]], "best_epoch": history.best_epoch,
        "test_patient_dice": [round(float(v), 3) for v in scores.dice.mean(0)],
        "test_patient_dice_sd": [round(float(v), 3) for v in scores.dice.std(0, ddof=1)],
        "test_patient_hd95_mm": [round(float(v), 2) for v in np.median(scores.hd95, 0)],
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }))


if __name__ == "__main__":
    main()
