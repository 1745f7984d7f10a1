"""``medcourse.data.arrays.read_only`` and the lesson's rescale formula, as properties over many inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from medcourse.data.arrays import is_read_only, read_only
from medcourse.data.scans import rescale

_numeric_arrays = hnp.arrays(
    dtype=st.sampled_from([np.uint8, np.int16, np.uint16, np.int64, np.float32, np.float64, np.bool_]),
    shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6),
)


@settings(max_examples=60, deadline=None)
@given(array=_numeric_arrays, transpose=st.booleans())
def test_read_only_gives_an_equal_array_that_nobody_can_make_writable(array, transpose):
    source = array.T if transpose else array
    frozen = read_only(source)
    np.testing.assert_array_equal(frozen, source)
    assert frozen.dtype == source.dtype and frozen.shape == source.shape and is_read_only(frozen)
    reachable = [frozen, frozen.view(), frozen.reshape(-1)]
    base = frozen.base
    while isinstance(base, np.ndarray):
        reachable.append(base)
        base = base.base
    for candidate in reachable:
        with pytest.raises(ValueError, match="cannot set WRITEABLE flag"):
            candidate.flags.writeable = True
    assert read_only(frozen) is frozen  # already immutable: no second copy
    if source.size and source.flags.writeable:
        source.flat[0] = source.flat[0]  # the caller's own array stays as it was: writable


def test_read_only_refuses_object_arrays():
    with pytest.raises(ValueError, match=r"must hold numbers, not Python objects"):
        read_only(np.array([object(), object()], dtype=object))


@settings(max_examples=60, deadline=None)
@given(stored=hnp.arrays(np.int16, hnp.array_shapes(max_dims=2, max_side=8)),
       slope=st.sampled_from(["1", "0.5", "2.5", "0.684", "-1", "1e-3"]),
       intercept=st.sampled_from(["0", "-1024", "200", "-0.5", "32768"]))
def test_the_lessons_rescale_formula_equals_pydicoms_modality_lut(stored, slope, intercept):
    from pydicom.dataset import Dataset
    from pydicom.pixels import apply_modality_lut

    header = Dataset()
    header.RescaleSlope, header.RescaleIntercept = slope, intercept
    np.testing.assert_array_equal(rescale(stored, header.RescaleSlope, header.RescaleIntercept),
                                  apply_modality_lut(stored, header))
