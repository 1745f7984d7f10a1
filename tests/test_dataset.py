"""Specification of Dataset.from_arrays (bring your own data) and of ObjectLabels (ragged detection labels)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from medcourse.data import Dataset
from medcourse.data.dataset import TASKS
from medcourse.data.objects import COLUMNS, ObjectLabels

RNG = np.random.default_rng(0)


def _images(count, shape=(8, 8)):
    return RNG.integers(0, 256, (count, *shape), dtype=np.uint8)


def _valid(task):
    """A small valid (train, val, test, classes) for each task."""
    if task == "binary":
        make, classes = (lambda n: (_images(n), np.arange(n) % 2)), ("normal", "abnormal")
    elif task == "multiclass":
        make, classes = (lambda n: (_images(n), np.arange(n) % 3)), ("a", "b", "c")
    elif task == "multilabel":
        make, classes = (lambda n: (_images(n), RNG.integers(0, 2, (n, 4)))), ("w", "x", "y", "z")
    elif task == "regression":
        make, classes = (lambda n: (_images(n, (6, 8, 8)), RNG.random(n) * 80)), ()
    elif task == "segmentation":
        make, classes = (lambda n: (_images(n), RNG.integers(0, 3, (n, 8, 8)))), ("background", "a", "b")
    else:
        make, classes = (lambda n: (_images(n, (16, 16, 3)),
                                    [[(3, 4, 2, 2, n % 2)] * (i % 3) for i in range(n)])), ("cell", "blob")
    return make(6), make(3), make(2), classes


@pytest.mark.parametrize("task", TASKS)
def test_from_arrays_accepts_valid_data_of_every_task_and_keeps_it(task):
    train, val, test, classes = _valid(task)
    data = Dataset.from_arrays(train, val, test, task=task, classes=classes, name="mine",
                               description="my scans", licence="CC BY 4.0", info={"site": "A"})
    assert data.task == task and data.classes == tuple(classes) and data.name == "mine"
    assert data.licence == "CC BY 4.0" and data.description == "my scans" and data.info == {"site": "A"}
    assert [len(pair[0]) for pair in data.splits().values()] == [6, 3, 2]
    np.testing.assert_array_equal(data.train[0], train[0])
    labels = data.train[1]
    expected_dtype = {"regression": np.float32, "segmentation": np.uint8}.get(task, np.int64)
    if task == "detection":
        assert isinstance(labels, ObjectLabels) and labels.counts.tolist() == [0, 1, 2, 0, 1, 2]
    else:
        assert labels.dtype == expected_dtype
        np.testing.assert_allclose(labels, np.asarray(train[1]).astype(expected_dtype))


def _call(task, classes=None, **replace):
    train, val, test, default_classes = _valid(task)
    splits = {"train": train, "val": val, "test": test, **replace}
    return Dataset.from_arrays(splits["train"], splits["val"], splits["test"], task=task,
                               classes=default_classes if classes is None else classes)


@pytest.mark.parametrize(("task", "replace", "message"), [
    ("binary", {"val": (np.zeros((3, 8, 8)), [0, 1, 0])}, r"val images must be uint8 .* got dtype float64: convert"),
    ("binary", {"test": (np.zeros((2, 8), np.uint8), [0, 1])}, r"test images must be shaped N×H×W"),
    ("binary", {"train": (np.zeros((0, 8, 8), np.uint8), [])}, r"train must hold at least one image"),
    ("binary", {"train": (_images(6), [0, 1, 0])}, r"train has 6 images but 3 labels"),
    ("binary", {"val": (_images(3), [0.0, 1.0, 0.0])}, r"val labels must be integer class indices, got dtype "
                                                       r"float64 \(they are whole numbers"),
    ("multiclass", {"test": (_images(2), [0, 3])}, r"test labels must be class indices in 0…2 .* from 0 to 3"),
    ("multiclass", {"val": (_images(3), [[0, 1], [1, 0], [0, 1]])}, r"val labels must have shape \(3,\)"),
    ("multilabel", {"train": (_images(6), np.full((6, 4), 2))}, r"train labels of a multilabel dataset must be 0 or 1"),
    ("multilabel", {"train": (_images(6), np.ones((6, 3), int))}, r"train labels must have shape \(6, 4\)"),
    ("regression", {"val": (_images(3, (6, 8, 8)), [1.0, np.nan, 2.0])}, r"val labels must be finite"),
    ("segmentation", {"train": (_images(6), np.zeros((6, 8, 7), int))}, r"train labels must be masks with the "
                                                                          r"images' shape \(6, 8, 8\)"),
    ("segmentation", {"test": (_images(2), np.full((2, 8, 8), 3))}, r"test labels must be mask values .* in 0…2"),
    ("detection", {"val": (_images(3, (16, 16, 3)), [[(3, 4, 2, 2, 0)]] * 2)}, r"val has 3 images but labels for 2"),
    ("detection", {"train": (_images(6, (16, 16, 3)), [[(3, 4, 0, 2, 0)]] * 6)}, r"train labels: every box needs "
                                                                                   r"height > 0"),
    ("detection", {"test": (_images(2, (16, 16, 3)), [[(30, 4, 2, 2, 0)]] * 2)}, r"test labels: object centres "
                                                                                   r"must lie in the 16×16 image"),
    ("detection", {"test": (_images(2, (16, 16, 3)), [[(3, 4, 2, 2, 5)]] * 2)}, r"test labels must be object "
                                                                                  r"classes in 0…1"),
    ("detection", {"val": (_images(3, (16, 16, 3)), [[(1, 2, 3)]] * 3)}, r"val labels must be ObjectLabels or one "
                                                                          r"\(k, 5\) array per image"),
    ("segmentation", {"train": ([0, 1], _images(6))}, r"train images must be uint8"),
    ("binary", {"val": (_images(3),)}, r"val must be an \(images, labels\) pair, got tuple of length 1"),
])
def test_from_arrays_refuses_bad_data_naming_the_split_and_the_argument(task, replace, message):
    with pytest.raises(ValueError, match=message):
        _call(task, **replace)


@pytest.mark.parametrize(("task", "classes", "message"), [
    ("binary", ("a", "b", "c"), r"a binary dataset needs classes with exactly 2 names"),
    ("regression", ("ef",), r"a regression dataset needs classes with none: pass classes=\(\)"),
    ("segmentation", ("lesion",), r"at least 2 names, index 0 being the background"),
    ("multiclass", "abc", r"classes must be a sequence of class names"),
    ("multiclass", ("a", "a", "b"), r"classes must be distinct"),
])
def test_from_arrays_refuses_classes_that_do_not_fit_the_task(task, classes, message):
    with pytest.raises(ValueError, match=message):
        _call(task, classes=classes)


def test_from_arrays_refuses_an_unknown_task_and_splits_of_different_sample_shapes():
    train, val, test, classes = _valid("binary")
    with pytest.raises(ValueError, match=r"task must be one of \('binary'.*got 'classification'"):
        Dataset.from_arrays(train, val, test, task="classification", classes=classes)
    with pytest.raises(ValueError, match=r"same shape per sample, got train \(8, 8\), val \(8, 9\), test \(8, 8\)"):
        Dataset.from_arrays(train, (_images(3, (8, 9)), [0, 1, 0]), test, task="binary", classes=classes)


def test_from_arrays_accepts_colour_images_with_masks_without_the_colour_axis():
    x = _images(4, (8, 8, 3))
    masks = np.zeros((4, 8, 8), np.uint8)
    data = Dataset.from_arrays((x, masks), (x, masks), (x, masks), task="segmentation", classes=("bg", "fg"))
    assert data.image_shape == (8, 8, 3) and data.train[1].shape == (4, 8, 8)


@settings(max_examples=40, deadline=None)
@given(split=st.sampled_from(["train", "val", "test"]), bad=st.integers(3, 300) | st.integers(-300, -1))
def test_any_out_of_range_class_is_refused_naming_its_split(split, bad):
    labels = {"train": np.arange(6) % 3, "val": np.arange(3) % 3, "test": np.arange(2) % 3}
    labels[split] = labels[split].copy()
    labels[split][0] = bad
    pairs = {name: (_images(len(value)), value) for name, value in labels.items()}
    with pytest.raises(ValueError, match=rf"^{split} labels must be class indices in 0…2 .*{bad}"):
        Dataset.from_arrays(pairs["train"], pairs["val"], pairs["test"], task="multiclass", classes=("a", "b", "c"))


@settings(max_examples=30, deadline=None)
@given(dtype=st.sampled_from([np.int8, np.uint16, np.int64, np.float32, np.float64, bool]))
def test_images_of_any_dtype_but_uint8_are_refused_with_how_to_convert(dtype):
    x = np.zeros((3, 8, 8), dtype=dtype)
    with pytest.raises(ValueError, match=rf"train images must be uint8 .*got dtype {np.dtype(dtype)}.*astype\(np.uint8\)"):
        Dataset.from_arrays((x, [0, 1, 0]), (_images(1), [0]), (_images(1), [1]), task="binary", classes=("a", "b"))


# --- ObjectLabels -----------------------------------------------------------------------------------

objects_strategy = st.lists(
    hnp.arrays(np.float32, st.tuples(st.integers(0, 4), st.just(len(COLUMNS))),
               elements=st.floats(0, 100, width=32)),
    min_size=0, max_size=12)


@settings(max_examples=60, deadline=None)
@given(tables=objects_strategy)
def test_object_labels_round_trip_through_savez_and_load_without_pickle(tables):
    labels = ObjectLabels.from_lists(tables)
    buffer = io.BytesIO()
    np.savez(buffer, **labels.to_arrays("train"))
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as archive:
        back = ObjectLabels.from_arrays(archive, "train")
    assert back == labels and len(back) == len(tables)
    for table, objects in zip(tables, back, strict=True):
        np.testing.assert_array_equal(objects, table)


@settings(max_examples=60, deadline=None)
@given(tables=objects_strategy.filter(len), data=st.data())
def test_object_labels_subsets_equal_the_same_subset_of_the_lists(tables, data):
    labels = ObjectLabels.from_lists(tables)
    chosen = data.draw(st.lists(st.integers(-len(tables), len(tables) - 1), max_size=8))
    subset = labels[np.array(chosen, dtype=np.int64)]
    assert len(subset) == len(chosen)
    for position, index in enumerate(chosen):
        np.testing.assert_array_equal(subset[position], tables[index])
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(tables), max_size=len(tables))))
    assert [obj.tolist() for obj in labels[mask]] == [table.tolist() for table, keep in zip(tables, mask, strict=True) if keep]
    assert [obj.tolist() for obj in labels[1::2]] == [table.tolist() for table in tables[1::2]]


def test_object_labels_accessors_give_centres_boxes_radii_classes_and_counts():
    labels = ObjectLabels.from_lists([[(10, 20, 4, 6, 1), (5, 5, 2, 2, 0)], [], [(7.5, 3, 3, 3, 2)]])
    assert len(labels) == 3 and labels.counts.tolist() == [2, 0, 1]
    np.testing.assert_array_equal(labels.centres(0), [[10, 20], [5, 5]])
    np.testing.assert_array_equal(labels.boxes(0), [[8, 17, 12, 23], [4, 4, 6, 6]])
    np.testing.assert_array_equal(labels.radii(2), [1.5])
    assert labels.classes(0).dtype == np.int64 and labels.classes(0).tolist() == [1, 0]
    assert labels[1].shape == (0, 5) and labels[-1].tolist() == [[7.5, 3, 3, 3, 2]]
    assert labels.of_class(0).counts.tolist() == [1, 0, 0]
    assert labels.image_index.tolist() == [0, 0, 2]
    np.testing.assert_array_equal(labels.flipped("cols", 32).centres(0), [[10, 11], [5, 26]])
    assert [len(objects) for objects in labels] == [2, 0, 1]


def test_object_labels_are_read_only_and_refuse_bad_layouts_and_indices():
    labels = ObjectLabels.from_lists([[(1, 2, 3, 4, 0)]])
    with pytest.raises(ValueError, match="read-only"):
        labels[0][0, 0] = 5
    with pytest.raises(ValueError, match=r"values must have shape \(M, 5\)"):
        ObjectLabels(np.zeros((2, 4)), np.array([0, 2]))
    with pytest.raises(ValueError, match="offsets must start at 0, never decrease and end at the number of objects"):
        ObjectLabels(np.zeros((2, 5)), np.array([0, 3]))
    with pytest.raises(IndexError, match="image index 1 is out of range for 1 images"):
        labels[1]
    with pytest.raises(ValueError, match=r"arrays lack \['val_objects', 'val_offsets'\]"):
        ObjectLabels.from_arrays(labels.to_arrays("train"), "val")
    with pytest.raises(ValueError, match="image 1: objects must be rows of 5 numbers"):
        ObjectLabels.from_lists([[], [(1, 2)]])
