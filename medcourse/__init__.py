"""medcourse: the shared helpers of *Deep Learning for Medical Image Analysis*.

Importing this package is cheap on purpose: it imports neither TensorFlow nor PyTorch. The
framework code lives in :mod:`medcourse.tensorflow` and :mod:`medcourse.pytorch`, imported only
by the notebooks that need them.
"""

from __future__ import annotations

from medcourse._seed import seed_everything

__version__ = "0.1.0"
__all__ = ["__version__", "repository_url", "seed_everything"]

# The repository's public address. pyproject.toml's [project.urls] is the source of truth; a test
# checks that this constant, every notebook badge and the Colab install line agree with it.
repository_url = "https://github.com/medcourse/medcourse"
