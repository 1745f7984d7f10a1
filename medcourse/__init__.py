"""medcourse: the shared helpers of *Deep Learning for Medical Image Analysis*.

Importing this package is cheap on purpose: it imports neither TensorFlow nor PyTorch. The
framework code lives in :mod:`medcourse.tensorflow` and :mod:`medcourse.pytorch`, imported only
by the notebooks that need them.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from medcourse._memory import release_memory
from medcourse._seed import seed_everything
from medcourse.targets import check_target

try:  # the one place the version is written is pyproject.toml; the installed metadata carries it
    __version__ = version("medcourse")
except PackageNotFoundError:  # pragma: no cover - a checkout on sys.path that was never installed
    __version__ = "0+unknown"
__all__ = ["__version__", "check_target", "release_memory", "repository_url", "seed_everything"]

# The repository's public address. pyproject.toml's [project.urls] is the source of truth; a test
# checks that this constant, every notebook badge and the Colab install line agree with it.
repository_url = "https://github.com/medcourse/medcourse"
