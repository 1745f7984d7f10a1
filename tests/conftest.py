"""Fixtures of the unit tests: ``twin`` runs a framework test once per framework (see ``twins.py``)."""

from __future__ import annotations

import pytest
from twins import FRAMEWORKS, load_twin


@pytest.fixture(params=FRAMEWORKS, scope="module")
def twin(request):
    """The adapter of one framework; the test runs for PyTorch and for TensorFlow (skipped where absent)."""
    return load_twin(request.param)
