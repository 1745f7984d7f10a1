"""Specification of the embedded "cine" dataset: cardiac sequences whose EF only motion reveals."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from medcourse.data import load_dataset
from medcourse.data.generators import cine

SMALL = {"train_size": 300, "val_size": 20, "test_size": 20}
# sha256 of cine.generate(8, seed=3, split="val"): the same bytes on every machine (see the generator docstring).
EXPECTED_DIGEST = "54014116282720027672d046960dccdd8faf0ced4016ed4fa00593db7f3f47ec"


def test_default_cine_has_the_documented_shapes_types_and_provenance():
    data = load_dataset("cine")
    assert [len(data.train[0]), len(data.val[0]), len(data.test[0])] == [2000, 400, 800]
    for sequences, labels in data.splits().values():
        assert sequences.dtype == np.uint8 and sequences.shape[1:] == (20, 32, 32)
        assert labels.dtype == np.float32 and labels.shape == (len(sequences),)
        assert labels.min() > 10.0 and labels.max() < 90.0
    assert data.task == "regression" and data.classes == ()
    assert data.info["unit"].startswith("%") and data.licence == "CC0 / generated"


def test_reduced_ef_target_is_binary_with_the_40_percent_threshold():
    ef = load_dataset("cine", **SMALL).train[1]
    reduced = load_dataset("cine", target="reduced_ef", **SMALL)
    assert reduced.task == "binary" and len(reduced.classes) == 2
    np.testing.assert_array_equal(reduced.train[1], (ef < 40).astype(np.int64))
    assert 0.1 < reduced.train[1].mean() < 0.45
    np.testing.assert_array_equal(reduced.train[0], load_dataset("cine", **SMALL).train[0])


def test_cine_is_deterministic():
    first = cine.generate(8, seed=3, split="val")
    second = cine.generate(8, seed=3, split="val")
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])
    digest = hashlib.sha256(first[0].tobytes() + first[1].tobytes()).hexdigest()
    assert digest == EXPECTED_DIGEST



def _blood_area(sequences):
    return (sequences > 150).reshape(*sequences.shape[:2], -1).sum(axis=-1).astype(float)


def _r_squared(features, target, train):
    design = np.c_[features, np.ones(len(features))]
    coefficients = np.linalg.lstsq(design[train], target[train], rcond=None)[0]
    residual = design[~train] @ coefficients - target[~train]
    return 1.0 - residual.var() / target[~train].var()


def test_ejection_fraction_is_readable_from_motion_but_not_from_one_frame():
    sequences, ef = load_dataset("cine", train_size=1000, val_size=20, test_size=20).train
    area = _blood_area(sequences)  # bright pixels per frame: LV and RV blood
    train = np.arange(len(ef)) < 700
    from_motion = 100.0 * (1.0 - (area.min(axis=1) / area.max(axis=1)) ** 1.5)
    assert _r_squared(from_motion[:, None], ef, train) > 0.8
    assert _r_squared(area[:, :1], ef, train) < 0.2          # the first frame alone
    assert _r_squared(area.mean(axis=1, keepdims=True), ef, train) < 0.2  # the average frame
    average_image = sequences.mean(axis=1).reshape(len(ef), -1)[:, ::4]
    # The average frame shows motion only as a blurred edge: a weak clue (R² ≈ 0.2 for a linear model).
    assert _r_squared(average_image, ef, train) < 0.35


def test_the_ventricle_contracts_and_relaxes_within_each_sequence():
    sequences, ef = load_dataset("cine", **SMALL).train
    area = _blood_area(sequences)
    assert np.all(area.max(axis=1) > area.min(axis=1))
    high = ef > 60
    assert (area.min(axis=1) / area.max(axis=1))[high].mean() < (area.min(axis=1) / area.max(axis=1))[~high].mean()


def test_contraction_is_zero_at_end_diastole_and_one_at_end_systole():
    phase = np.array([0.0, 0.35, 0.999999])
    np.testing.assert_allclose(cine.contraction(phase, 0.35), [0.0, 1.0, 0.0], atol=1e-6)


@pytest.mark.parametrize(("options", "message"), [
    ({"target": "esv"}, "target must be one of"),
    ({"frames": 2}, "frames must be an integer in"),
    ({"size": 16}, "size must be an integer in"),
    ({"difficulty": "easy"}, r"unknown option\(s\) \['difficulty'\] for dataset 'cine'"),
])
def test_bad_cine_options_are_refused_with_a_message_naming_them(options, message):
    with pytest.raises(ValueError, match=message):
        load_dataset("cine", **options)


# --- masks=True: per-frame heart structures ----------------------------------------------------------

# sha256 of the masks of cine.generate(8, seed=3, split="val", masks=True).
EXPECTED_MASKS_DIGEST = "09e811c83d0ad8a737ee139a09ded53b2071532feebe827593d6193a47cdf373"


def test_masks_option_gives_per_frame_structure_masks_of_the_same_sequences_and_keeps_the_ef():
    plain = load_dataset("cine", **SMALL)
    data = load_dataset("cine", masks=True, **SMALL)
    assert data.task == "segmentation"
    assert data.classes == ("background", "LV cavity", "LV myocardium", "RV cavity")
    for split, (sequences, masks) in data.splits().items():
        np.testing.assert_array_equal(sequences, getattr(plain, split)[0])
        assert masks.dtype == np.uint8 and masks.shape == sequences.shape
        np.testing.assert_array_equal(data.info["ejection_fraction"][split], getattr(plain, split)[1])


def test_ejection_fraction_from_the_segmented_lv_areas_matches_the_true_one():
    data = load_dataset("cine", masks=True, **SMALL)
    masks, ef = data.train[1], data.info["ejection_fraction"]["train"]
    area = (masks == 1).sum(axis=(2, 3)).astype(float)
    from_masks = 100.0 * (1.0 - (area.min(axis=1) / area.max(axis=1)) ** 1.5)
    assert np.abs(from_masks - ef).mean() < 3.0
    assert np.corrcoef(from_masks, ef)[0, 1] > 0.98


def test_the_cavity_mask_is_the_bright_blood_and_the_myocardium_the_dark_ring():
    sequences, masks = load_dataset("cine", masks=True, **SMALL).train
    assert sequences[masks == 1].mean() > sequences[masks == 0].mean() + 50
    assert sequences[masks == 2].mean() < sequences[masks == 0].mean() - 20
    assert sequences[masks == 3].mean() > sequences[masks == 0].mean() + 50


def test_cine_masks_match_the_recorded_fingerprint_and_need_the_default_target():
    _, _, masks = cine.generate(8, seed=3, split="val", masks=True)
    assert hashlib.sha256(masks.tobytes()).hexdigest() == EXPECTED_MASKS_DIGEST
    with pytest.raises(ValueError, match="with masks=True the labels are the per-frame masks"):
        load_dataset("cine", masks=True, target="reduced_ef")


# --- end_systole_time: a label that depends on the order of the frames --------------------------------


def test_end_systole_time_is_where_the_segmented_cavity_is_smallest():
    _, _, masks = cine.generate(200, seed=0, split="train", frames=12, masks=True)
    times = cine.end_systole_time(200, seed=0, split="train", frames=12)
    assert times.dtype == np.float32 and times.shape == (200,)
    assert times.min() >= 0 and times.max() < 12
    area = (masks == 1).sum(axis=(2, 3)).astype(float)
    nearest = np.minimum(np.round(times).astype(int), 11)
    at_label = area[np.arange(200), nearest]
    span = area.max(axis=1) - area.min(axis=1)
    assert np.mean(at_label <= area.min(axis=1) + 0.1 * span) > 0.9
    before = area[np.arange(200), np.maximum(nearest - 1, 0)]  # the cavity shrinks into end-systole …
    assert np.mean(before[nearest >= 1] >= at_label[nearest >= 1]) > 0.9


def test_end_systole_time_belongs_to_the_sequences_of_generate_and_differs_between_splits():
    times = cine.end_systole_time(8, seed=3, split="val")
    np.testing.assert_array_equal(times, cine.end_systole_time(8, seed=3, split="val"))
    assert not np.array_equal(times, cine.end_systole_time(8, seed=3, split="test"))
    sequences, labels = cine.generate(8, seed=3, split="val")  # generating is unchanged by asking for the times
    assert hashlib.sha256(sequences.tobytes() + labels.tobytes()).hexdigest() == EXPECTED_DIGEST


@pytest.mark.parametrize(("arguments", "message"), [
    ({"count": 4, "split": "training"}, "split must be one of"),
    ({"count": 0, "split": "train"}, "count must be a positive integer"),
])
def test_end_systole_time_refuses_bad_arguments_naming_them(arguments, message):
    with pytest.raises(ValueError, match=message):
        cine.end_systole_time(seed=0, **arguments)
