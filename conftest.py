"""Test-session settings shared by the unit tests and nbval's notebook runs."""

import os

# Quiet TensorFlow's C++ start-up logs, here and in the notebook kernels nbval starts (they inherit
# this environment). Errors still show.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # unit tests draw figures without a screen; kernels keep their inline backend
