"""Time the embedded datasets' generation (numbers for the README and reports, not for tests).

Usage: .venv/bin/python tools/benchmark_data.py
"""

import time

from medcourse.data import load_dataset

for name, options in [("lesions", {}), ("lesions", {"size": 64}), ("cine", {})]:
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    dataset = load_dataset(name, **options)
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    megabytes = sum(images.nbytes + labels.nbytes for images, labels in dataset.splits().values()) / 2**20
    sizes = "/".join(str(len(split[0])) for split in dataset.splits().values())
    print(f"{name:<8}{options!s:<14}{sizes:<16}{dataset.image_shape!s:<16}{megabytes:6.1f} MiB"
          f"{wall:7.2f} s wall{cpu:7.2f} s CPU")
