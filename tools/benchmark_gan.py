"""Time one GAN training step of the course's recipe in PyTorch and in TensorFlow, in one run.

    .venv/bin/python tools/benchmark_gan.py                     # the conditional recipe, batch 64 and 128
    .venv/bin/python tools/benchmark_gan.py --width 32 --steps 60

Both frameworks are timed in the same process, in alternating blocks of steps, so that a machine
shared with other work slows both alike; the report gives wall-clock and CPU milliseconds per step,
images per second and the TensorFlow/PyTorch ratio, plus the load average (``os.getloadavg``) so a
reader can judge the conditions. Notebooks 09–10 quote these numbers; nothing here is a test.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def _setups(batch_size: int, width: int, latent_dim: int, num_classes: int, conditional: bool):
    """One (name, step function) per framework, each step running the library's ``train_step`` once."""
    import tensorflow as tf
    import torch

    from medcourse.pytorch import gan as torch_gan
    from medcourse.tensorflow import gan as tf_gan

    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (batch_size, 28, 28)).astype(np.float32)
    noise = rng.standard_normal((batch_size, latent_dim)).astype(np.float32)
    labels = (np.arange(batch_size) % num_classes) if conditional else None
    setups = []
    for name, module, images in (("pytorch", torch_gan, torch.from_numpy(real[:, None])),
                                 ("tensorflow", tf_gan, tf.constant(real[..., None]))):
        if conditional:
            generator = module.conditional_generator(num_classes, latent_dim, width)
            discriminator = module.conditional_discriminator(num_classes, width)
        else:
            generator, discriminator = module.dcgan_generator(latent_dim, width), module.dcgan_discriminator(width)
        optimizers = module.gan_optimizers(generator, discriminator)
        z = torch.from_numpy(noise) if name == "pytorch" else tf.constant(noise)

        def step(module=module, generator=generator, discriminator=discriminator, optimizers=optimizers,
                 images=images, z=z):
            module.train_step(generator, discriminator, *optimizers, images, z, labels=labels)

        setups.append((name, step))
    return setups


def benchmark(batch_size: int, *, width: int, latent_dim: int, steps: int, blocks: int, conditional: bool) -> dict:
    """Milliseconds per step (wall, CPU) per framework after a warm-up that includes TensorFlow's tracing."""
    setups = _setups(batch_size, width, latent_dim, 5, conditional)
    wall = {name: 0.0 for name, _ in setups}
    cpu = dict(wall)
    for _name, step in setups:
        for _ in range(3):  # warm-up: tf.function traces here, PyTorch allocates its buffers
            step()
    for _ in range(blocks):
        for name, step in setups:
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            for _ in range(steps):
                step()
            wall[name] += time.perf_counter() - start_wall
            cpu[name] += time.process_time() - start_cpu
    count = steps * blocks
    return {name: (1000 * wall[name] / count, 1000 * cpu[name] / count) for name in wall}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--latent-dim", type=int, default=32)
    parser.add_argument("--steps", type=int, default=40, help="steps per block")
    parser.add_argument("--blocks", type=int, default=3, help="alternating blocks per framework")
    parser.add_argument("--unconditional", action="store_true", help="time the DCGAN of notebook 09 instead")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per framework (default: each framework's own choice, the notebooks' setting)")
    arguments = parser.parse_args(argv)
    import medcourse

    if arguments.threads:  # before either framework runs an operation
        import tensorflow as tf
        import torch

        tf.config.threading.set_intra_op_parallelism_threads(arguments.threads)
        tf.config.threading.set_inter_op_parallelism_threads(arguments.threads)
        torch.set_num_threads(arguments.threads)

    medcourse.seed_everything(0)
    print(f"load average before: {os.getloadavg()[0]:.2f}; "
          f"{'DCGAN' if arguments.unconditional else 'AC-GAN'} recipe, width {arguments.width}")
    for batch_size in arguments.batch_sizes:
        times = benchmark(batch_size, width=arguments.width, latent_dim=arguments.latent_dim, steps=arguments.steps,
                          blocks=arguments.blocks, conditional=not arguments.unconditional)
        for name, (wall, cpu) in times.items():
            print(f"batch {batch_size:>4}  {name:<11} {wall:7.1f} ms/step wall  {cpu:7.1f} ms/step CPU  "
                  f"{1000 * batch_size / wall:7.0f} images/s")
        print(f"batch {batch_size:>4}  TensorFlow / PyTorch wall time: {times['tensorflow'][0] / times['pytorch'][0]:.2f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
