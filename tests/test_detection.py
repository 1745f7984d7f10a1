"""The detection topic: NumPy targets, peaks and decoding; FROC, CPM and AP against independent references;
the ragged labels' storage; both frameworks' detector, losses, peaks and training (notebook 06)."""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twins import tiny_detection

from medcourse import detection
from medcourse.data import ObjectLabels
from medcourse.metrics import detection as metrics

SETTINGS = settings(max_examples=60, deadline=None)


# --- independent references, written as plainly as possible -------------------------------------------


def brute_force_froc_point(truths, detections, radius, threshold):
    """(false positives per image, sensitivity) keeping every detection scoring ≥ threshold, recounted from scratch."""
    found = false = 0
    for image_truths, image_detections in zip(truths, detections, strict=True):
        kept = [d for d in image_detections if d[2] >= threshold]
        kept = sorted(kept, key=lambda d: -d[2])  # Python's sort is stable: ties keep the given order
        matched = [False] * len(image_truths)
        for row, col, _ in kept:
            best, best_distance = None, math.inf
            for index, (t_row, t_col) in enumerate(image_truths):
                distance = math.hypot(row - t_row, col - t_col)
                if not matched[index] and distance <= radius and distance < best_distance:
                    best, best_distance = index, distance
            if best is None:
                false += 1
            else:
                matched[best] = True
                found += 1
    return false / len(truths), found / sum(len(t) for t in truths)


def voc_devkit_ap(truths, detections, threshold=0.5):
    """A transcription of PASCAL VOC's VOCevaldet + VOCap (2010–2012), with continuous box areas."""
    flat = [(d[4], image, d[:4]) for image, ds in enumerate(detections) for d in ds]
    order = sorted(range(len(flat)), key=lambda i: -flat[i][0])
    found = [[False] * len(t) for t in truths]
    tp, fp = [], []
    for i in order:
        _, image, box = flat[i]
        best, best_index = -math.inf, None
        for index, truth in enumerate(truths[image]):
            height = min(box[2], truth[2]) - max(box[0], truth[0])
            width = min(box[3], truth[3]) - max(box[1], truth[1])
            if height > 0 and width > 0:
                inter = height * width
                union = (box[2] - box[0]) * (box[3] - box[1]) + (truth[2] - truth[0]) * (truth[3] - truth[1]) - inter
                if inter / union > best:
                    best, best_index = inter / union, index
        if best >= threshold and not found[image][best_index]:
            found[image][best_index] = True
            tp.append(1), fp.append(0)
        else:
            tp.append(0), fp.append(1)
    total = sum(len(t) for t in truths)
    recall, precision, cum_tp, cum_fp = [], [], 0, 0
    for a, b in zip(tp, fp, strict=True):
        cum_tp, cum_fp = cum_tp + a, cum_fp + b
        recall.append(cum_tp / total)
        precision.append(cum_tp / (cum_tp + cum_fp))
    mrec, mpre = [0.0, *recall, 1.0], [0.0, *precision, 0.0]
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    return sum((mrec[i + 1] - mrec[i]) * mpre[i + 1] for i in range(len(mrec) - 1) if mrec[i + 1] != mrec[i])


def pycocotools_ap(truths, detections, threshold=0.5):
    """AP of one class by pycocotools' COCOeval: one IoU threshold, one area range, every detection kept."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    def xywh(box):
        return [float(box[1]), float(box[0]), float(box[3] - box[1]), float(box[2] - box[0])]

    annotations = [{"id": len(annotations_so_far) + 1, "image_id": image + 1, "category_id": 1, "iscrowd": 0,
                    "bbox": xywh(box), "area": xywh(box)[2] * xywh(box)[3]}
                   for annotations_so_far in [[]] for image, boxes in enumerate(truths) for box in boxes
                   if not annotations_so_far.append(0)]
    results = [{"image_id": image + 1, "category_id": 1, "bbox": xywh(d[:4]), "score": float(d[4])}
               for image, ds in enumerate(detections) for d in ds]
    ground = COCO()
    ground.dataset = {"images": [{"id": i + 1} for i in range(len(truths))], "annotations": annotations,
                      "categories": [{"id": 1}]}
    with contextlib.redirect_stdout(io.StringIO()):
        ground.createIndex()
        evaluation = COCOeval(ground, ground.loadRes(results) if results else COCO(), "bbox")
        evaluation.params.iouThrs = np.array([threshold])
        evaluation.params.maxDets = [10_000]
        evaluation.params.areaRng, evaluation.params.areaRngLbl = [[0, 1e10]], ["all"]
        evaluation.evaluate()
        evaluation.accumulate()
    precision = evaluation.eval["precision"][0, :, 0, 0, 0]
    return float(np.mean(precision))


# --- random cases -----------------------------------------------------------------------------------------


@st.composite
def centre_cases(draw):
    """Per image random truths and detections (some near truths), scores with ties."""
    seed = draw(st.integers(0, 2**32 - 1))
    images = draw(st.integers(1, 5))
    rng = np.random.default_rng(seed)
    truths, detections = [], []
    for _ in range(images):
        k, m = rng.integers(0, 5), rng.integers(0, 8)
        centres = rng.uniform(0, 40, (k, 2))
        points = rng.uniform(0, 40, (m, 2))
        if k:
            near = rng.random(m) < 0.6
            points[near] = centres[rng.integers(0, k, near.sum())] + rng.normal(0, 2.5, (near.sum(), 2))
        scores = rng.choice([0.2, 0.5, 0.9], m) if seed % 2 else rng.random(m)
        truths.append(centres)
        detections.append(np.column_stack([points, scores]) if m else np.zeros((0, 3)))
    if not sum(len(t) for t in truths):
        truths[0] = rng.uniform(0, 40, (1, 2))
    return truths, detections, draw(st.sampled_from([1.5, 3.0, 6.0]))


@st.composite
def box_cases(draw):
    truths, centres, _ = draw(centre_cases())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    def boxes(points):
        sizes = rng.uniform(3, 10, (len(points), 2))
        return np.concatenate([points[:, :2] - sizes / 2, points[:, :2] + sizes / 2], axis=1)

    return [boxes(t) for t in truths], [np.column_stack([boxes(c), c[:, 2]]) for c in centres]


# --- FROC and CPM -----------------------------------------------------------------------------------------


@SETTINGS
@given(centre_cases())
def test_froc_equals_a_brute_force_recount_at_every_threshold(case):
    truths, detections, radius = case
    curve = metrics.froc(truths, detections, hit_radius=radius)
    scores = sorted({float(d[2]) for ds in detections for d in ds}, reverse=True)
    assert curve.thresholds.tolist() == scores
    for threshold, fppi, sensitivity in zip(curve.thresholds, curve.false_positives_per_image, curve.sensitivity,
                                            strict=True):
        expected = brute_force_froc_point(truths, detections, radius, threshold)
        assert (fppi, sensitivity) == pytest.approx(expected, abs=1e-12)


@SETTINGS
@given(centre_cases())
def test_cpm_is_the_mean_of_the_best_sensitivity_within_each_luna16_false_positive_rate(case):
    truths, detections, radius = case
    thresholds = [math.inf, *sorted({float(d[2]) for ds in detections for d in ds}, reverse=True)]
    points = [brute_force_froc_point(truths, detections, radius, t) for t in thresholds]
    expected = np.mean([max(s for f, s in points if f <= rate) for rate in (1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8)])
    assert metrics.cpm(truths, detections, hit_radius=radius) == pytest.approx(expected, abs=1e-12)


def test_froc_counts_a_second_detection_of_a_found_truth_as_a_false_positive():
    truths = [np.array([[10.0, 10.0]])]
    detections = [np.array([[10.0, 11.0, 0.9], [11.0, 10.0, 0.8]])]
    curve = metrics.froc(truths, detections, hit_radius=3)
    assert curve.sensitivity.tolist() == [1.0, 1.0]
    assert curve.false_positives_per_image.tolist() == [0.0, 1.0]


def test_froc_counts_false_positives_in_images_without_truths_and_divides_by_every_image():
    truths = [np.array([[10.0, 10.0]]), np.zeros((0, 2)), np.zeros((0, 2)), np.zeros((0, 2))]
    detections = [np.array([[10.0, 10.0, 0.5]]), np.array([[3.0, 3.0, 0.9]]), np.zeros((0, 3)), np.zeros((0, 3))]
    curve = metrics.froc(truths, detections, hit_radius=2)
    assert curve.false_positives_per_image.tolist() == [0.25, 0.25]
    assert curve.sensitivity.tolist() == [0.0, 1.0]


def test_froc_takes_object_labels_and_one_radius_per_truth():
    labels = ObjectLabels.from_lists([[(10, 10, 20, 20, 0), (40, 40, 4, 4, 0)]])
    detections = [np.array([[18.0, 10.0, 0.9], [43.0, 40.0, 0.8]])]  # 8 px from the big one, 3 px from the small one
    curve = metrics.froc(labels, detections, hit_radius=[labels.radii(0)])
    assert curve.sensitivity.tolist() == [0.5, 0.5]
    assert curve.false_positives_per_image.tolist() == [0.0, 1.0]


def test_sensitivity_at_reads_zero_before_the_first_point_and_the_last_value_after_the_end():
    curve = metrics.FROCCurve(np.array([0.5, 1.0]), np.array([0.4, 0.6]), np.array([0.9, 0.1]))
    assert metrics.sensitivity_at(curve, [0.25, 0.5, 0.75, 1.0, 8.0]).tolist() == [0.0, 0.4, 0.4, 0.6, 0.6]


def test_cpm_without_any_truth_is_nan_and_with_no_detection_zero():
    assert math.isnan(metrics.cpm([np.zeros((0, 2))], [np.array([[1.0, 1.0, 0.5]])], hit_radius=2))
    assert metrics.cpm([np.array([[1.0, 1.0]])], [np.zeros((0, 3))], hit_radius=2) == 0.0


@pytest.mark.parametrize(("truths", "detections", "radius", "message"), [
    ([np.zeros((1, 2))], [], 2.0, "one entry per image"),
    ([np.zeros((1, 3))], [np.zeros((0, 3))], 2.0, r"truths\[0\] must have shape \(n, 2\)"),
    ([np.zeros((1, 2))], [np.zeros((1, 2))], 2.0, r"detections\[0\] must have shape \(n, 3\)"),
    ([np.zeros((1, 2))], [np.zeros((0, 3))], -1.0, "hit_radius must be a positive number"),
    ([np.zeros((1, 2))], [np.zeros((0, 3))], [np.ones(2)], r"hit_radius\[0\] must hold 1 positive radii"),
    (np.zeros((1, 1, 2)), [np.zeros((0, 3))], 2.0, "truths must be a list with one array per image"),
])
def test_froc_refuses_bad_input_naming_the_argument(truths, detections, radius, message):
    with pytest.raises(ValueError, match=message):
        metrics.froc(truths, detections, hit_radius=radius)


# --- boxes: IoU and AP ------------------------------------------------------------------------------------


@SETTINGS
@given(box_cases())
def test_average_precision_coco_convention_equals_pycocotools(case):
    pytest.importorskip("pycocotools")
    truths, detections = case
    ours = metrics.average_precision(truths, detections, convention="coco")
    assert ours == pytest.approx(pycocotools_ap(truths, detections), abs=1e-9)


@SETTINGS
@given(box_cases())
def test_average_precision_voc_convention_equals_a_transcription_of_the_devkit(case):
    truths, detections = case
    assert metrics.average_precision(truths, detections) == pytest.approx(voc_devkit_ap(truths, detections), abs=1e-12)


def test_voc_counts_a_detection_whose_best_truth_is_taken_as_false_where_coco_takes_the_next_truth():
    truths = [np.array([[0.0, 0.0, 10.0, 10.0], [0.0, 2.0, 10.0, 12.0]])]
    detections = [np.array([[0.0, 0.0, 10.0, 10.0, 0.9], [0.0, 1.0, 10.0, 11.0, 0.8]])]  # 2nd: best IoU with the 1st
    assert metrics.average_precision(truths, detections, convention="voc") == pytest.approx(0.5)
    assert metrics.average_precision(truths, detections, convention="coco") == pytest.approx(1.0)


@SETTINGS
@given(box_cases())
def test_box_iou_is_symmetric_one_on_itself_and_within_zero_and_one(case):
    truths, _ = case
    boxes = np.concatenate(truths)
    iou = metrics.box_iou(boxes, boxes)
    assert np.allclose(iou, iou.T) and np.allclose(np.diag(iou), 1.0)
    assert np.all((iou >= 0) & (iou <= 1 + 1e-12))


def test_average_precision_is_nan_without_truths_and_refuses_an_unknown_convention():
    assert math.isnan(metrics.average_precision([np.zeros((0, 4))], [np.array([[0.0, 0, 1, 1, 0.5]])]))
    with pytest.raises(ValueError, match="convention must be 'voc' or 'coco'"):
        metrics.average_precision([np.zeros((0, 4))], [np.zeros((0, 5))], convention="voc2007")


# --- the ragged labels: stored flat, no pickle --------------------------------------------------------------

objects_per_image = st.lists(st.lists(st.tuples(st.floats(0, 63), st.floats(0, 63), st.floats(1, 20),
                                                st.floats(1, 20), st.integers(0, 3)), max_size=4), max_size=6)


@SETTINGS
@given(objects_per_image)
def test_object_labels_survive_a_savez_round_trip_without_pickle(objects):
    labels = ObjectLabels.from_lists(objects)
    buffer = io.BytesIO()
    np.savez(buffer, **labels.to_arrays("train"))
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as archive:
        assert all(archive[name].dtype != object for name in archive.files)
        restored = ObjectLabels.from_arrays(archive, "train")
    assert restored == labels and len(restored) == len(objects)
    for index, rows in enumerate(objects):
        assert np.array_equal(restored[index], np.asarray(rows, dtype=np.float32).reshape(-1, 5))


@SETTINGS
@given(objects_per_image, st.integers(0, 2**32 - 1))
def test_flip_objects_twice_gives_the_labels_back_and_moves_only_the_flipped_images(objects, seed):
    labels = ObjectLabels.from_lists(objects)
    rng = np.random.default_rng(seed)
    rows, cols = rng.random(len(labels)) < 0.5, rng.random(len(labels)) < 0.5
    once = detection.flip_objects(labels, rows, cols, (64, 64))
    twice = detection.flip_objects(once, rows, cols, (64, 64))
    assert np.array_equal(twice.offsets, labels.offsets)
    assert np.allclose(twice.values, labels.values, atol=1e-5)  # 63 − (63 − x) rounds in float32
    for index in range(len(labels)):
        if not rows[index] and not cols[index]:
            assert np.array_equal(once[index], labels[index])


# --- targets, peaks, decoding ---------------------------------------------------------------------------------


def fields(seed=0, count=6, size=32):
    """Random objects on ``size``² fields, centres kept apart so that targets do not collide."""
    rng = np.random.default_rng(seed)
    objects = []
    for _ in range(count):
        grid = rng.permutation(16)[:rng.integers(0, 4)]
        objects.append([(4 + 8 * (g // 4) + rng.uniform(-1.5, 1.5), 4 + 8 * (g % 4) + rng.uniform(-1.5, 1.5),
                         rng.uniform(2, 12), rng.uniform(2, 12), rng.integers(0, 3)) for g in grid])
    return ObjectLabels.from_lists(objects)


def test_targets_are_exactly_one_at_each_centre_cell_and_below_one_elsewhere():
    labels = fields()
    targets = detection.detection_targets(labels, (32, 32), 3)
    assert targets["heatmap"].shape == (6, 8, 8, 3) and targets["size"].shape == (6, 8, 8, 2)
    assert int((targets["heatmap"] == 1).sum()) == len(labels.values) == int(targets["mask"].sum())
    assert np.all(np.abs(targets["offset"]) <= 0.5 + 1e-6)


def test_decoding_perfect_maps_gives_back_every_object():
    labels = fields(seed=3)
    targets = detection.detection_targets(labels, (32, 32), 3)
    maps = np.concatenate([targets["heatmap"], targets["size"], targets["offset"]], axis=-1)
    found = detection.decode(maps, threshold=0.5)
    for index in range(len(labels)):
        expected = labels[index][np.lexsort(labels[index][:, :2].T[::-1])]
        got = found[index][np.lexsort(found[index][:, :2].T[::-1])]
        assert np.allclose(got[:, :5], expected, atol=1e-4) and np.all(got[:, 5] == 1.0)


def test_mirrored_labels_give_the_mirrored_targets():
    labels = fields(seed=5)
    everything = np.ones(len(labels), dtype=bool)
    targets = detection.detection_targets(labels, (32, 32), 3)
    flipped = detection.detection_targets(detection.flip_objects(labels, everything, ~everything, (32, 32)), (32, 32), 3)
    assert np.allclose(flipped["heatmap"], targets["heatmap"][:, ::-1], atol=1e-6)
    assert np.allclose(flipped["offset"][..., 0], -targets["offset"][:, ::-1, :, 0], atol=1e-6)


def test_augmented_batches_move_the_boxes_with_the_images():
    images = np.zeros((8, 32, 32), np.uint8)
    labels = fields(seed=7, count=8)
    for index in range(8):
        for row, col, height, width, _ in labels[index]:
            top, left = max(0, round(row - height / 2 + 0.5)), max(0, round(col - width / 2 + 0.5))
            images[index, top:round(row + height / 2 + 0.5), left:round(col + width / 2 + 0.5)] = 255
    for batch, _, moved in detection.detection_batches(images, labels, num_classes=3, batch_size=8, augment=True,
                                                       shuffle=False, seed=1):
        for index in range(8):
            for row, col, *_ in moved[index]:
                assert batch[index, round(row), round(col), 0] > 0.5  # the box centre is still bright


@SETTINGS
@given(st.integers(0, 2**32 - 1))
def test_find_peaks_keeps_exactly_the_cells_no_neighbour_exceeds(seed):
    heatmap = np.random.default_rng(seed).random((6, 7, 2)).astype(np.float32)
    rows, cols, classes, scores = detection.find_peaks(heatmap, threshold=0.0, max_peaks=1000)
    expected = {(r, c, k) for r in range(6) for c in range(7) for k in range(2)
                if heatmap[r, c, k] >= heatmap[max(r - 1, 0):r + 2, max(c - 1, 0):c + 2, k].max()}
    assert set(zip(rows.tolist(), cols.tolist(), classes.tolist(), strict=True)) == expected
    assert np.all(np.diff(scores) <= 0)


def test_focal_loss_reference_matches_its_formula_on_a_hand_case():
    heatmap = np.array([[1.0, 0.5, 0.0]])
    p = np.array([[0.8, 0.4, 0.1]])
    by_hand = -((0.2 ** 2) * np.log(0.8) + (0.5 ** 4) * 0.4 ** 2 * np.log(0.6) + 0.1 ** 2 * np.log(0.9)) / 1
    assert detection.focal_loss(p, heatmap) == pytest.approx(by_hand, rel=1e-12)


def test_targets_refuse_a_field_that_is_not_a_multiple_of_the_stride_and_an_unknown_class():
    labels = ObjectLabels.from_lists([[(5, 5, 3, 3, 0)]])
    with pytest.raises(ValueError, match="multiples of stride=4"):
        detection.detection_targets(labels, (30, 32), 1)
    with pytest.raises(ValueError, match=r"object classes must be in \[0, 1\)"):
        detection.detection_targets(ObjectLabels.from_lists([[(5, 5, 3, 3, 2)]]), (32, 32), 1)


# --- both frameworks ------------------------------------------------------------------------------------------


def random_maps(shape=(2, 8, 8), classes=3, seed=0):
    rng = np.random.default_rng(seed)
    heatmap = rng.uniform(0.001, 0.999, (*shape, classes))
    return np.concatenate([heatmap, rng.normal(2, 0.5, (*shape, 2)), rng.uniform(-0.5, 0.5, (*shape, 2))], -1)


def test_detector_has_the_documented_output_shape_and_parameter_count(twin):
    model = twin.detection.heatmap_detector((64, 48, 3), 4, width=8)
    output = twin.detector_maps(model, np.zeros((2, 64, 48, 3), np.float32))
    assert output.shape == (2, 16, 12, 8)
    w = 8
    convs = [(3, w), (w, 2 * w), (2 * w, 2 * w), (2 * w, 4 * w), (4 * w, 4 * w), (6 * w, 2 * w)]
    expected = sum(9 * i * o + 2 * o for i, o in convs) + sum(2 * w * o + o for o in (4, 2, 2))  # BN: scale, shift
    assert twin.trainable_count(model) == expected


def test_detector_starts_every_heatmap_cell_near_the_prior_probability(twin):
    model = twin.detection.heatmap_detector((32, 32, 1), 2, width=4)
    maps = twin.detector_maps(model, np.zeros((1, 32, 32, 1), np.float32))
    assert np.allclose(maps[..., :2], 0.1, atol=0.05)


def test_detector_refuses_a_field_the_poolings_cannot_halve(twin):
    with pytest.raises(ValueError, match="multiples of 8"):
        twin.detection.heatmap_detector((60, 64, 1), 2)


@pytest.mark.parametrize("seed", [0, 1])
def test_focal_loss_equals_the_numpy_reference(twin, seed):
    maps = random_maps(seed=seed)
    targets = detection.detection_targets(fields(seed=seed, count=2), (32, 32), 3)
    outputs = twin.detection_outputs(maps, 3)
    heatmap = twin.detection_targets(targets)["heatmap"]
    predicted = outputs[:, :3] if twin.channels_first else outputs[..., :3]
    ours = float(twin.detection.focal_loss(predicted, heatmap))
    assert ours == pytest.approx(detection.focal_loss(maps[..., :3], targets["heatmap"]), rel=1e-5)


def test_detection_loss_equals_the_numpy_reference(twin):
    maps = random_maps(seed=2)
    targets = detection.detection_targets(fields(seed=2, count=2), (32, 32), 3)
    ours = float(twin.detection.detection_loss(twin.detection_outputs(maps, 3), twin.detection_targets(targets)))
    assert ours == pytest.approx(detection.detection_loss(maps, targets), rel=1e-5)


def test_extract_peaks_keeps_what_find_peaks_finds(twin):
    heatmap = np.random.default_rng(4).random((2, 8, 8, 3)).astype(np.float32)
    kept = twin.nhwc(twin.detection.extract_peaks(twin.tensor(heatmap), threshold=0.3))
    for index in range(2):
        rows, cols, classes, scores = detection.find_peaks(heatmap[index], threshold=0.3, max_peaks=1000)
        expected = np.zeros_like(heatmap[index])
        expected[rows, cols, classes] = scores
        assert np.array_equal(kept[index], expected)


def test_weights_copied_by_medcourse_transfer_give_the_same_maps():
    pytest.importorskip("torch")
    pytest.importorskip("tensorflow")
    from twins import load_twin

    from medcourse.transfer import keras_to_torch

    pytorch, tensorflow = load_twin("pytorch"), load_twin("tensorflow")
    keras_model = tensorflow.detection.heatmap_detector((64, 64, 3), 3, width=8)
    torch_model = pytorch.detection.heatmap_detector((64, 64, 3), 3, width=8)
    assert tensorflow.trainable_count(keras_model) == pytorch.trainable_count(torch_model)
    keras_to_torch(keras_model, torch_model)
    x = np.random.default_rng(0).random((3, 64, 64, 3)).astype(np.float32)
    difference = np.abs(tensorflow.detector_maps(keras_model, x) - pytorch.detector_maps(torch_model, x)).max()
    assert difference < 1e-5


def test_predict_maps_and_detect_take_uint8_images_and_refuse_the_wrong_shape(twin):
    model = twin.detection.heatmap_detector((32, 32, 1), 2, width=4)
    images = np.random.default_rng(0).integers(0, 255, (3, 32, 32), dtype=np.uint8)
    assert twin.detection.predict_maps(model, images).shape == (3, 8, 8, 6)
    found = twin.detection.detect(model, images, threshold=0.0, max_detections=5)
    assert len(found) == 3 and all(f.shape == (5, 6) for f in found)
    with pytest.raises(ValueError, match="expects images of shape"):
        twin.detection.predict_maps(model, np.zeros((1, 16, 16), np.uint8))


@pytest.mark.slow
def test_fit_trains_a_detector_that_finds_the_objects_of_a_tiny_set(twin):
    data = tiny_detection()
    model = twin.detection.heatmap_detector((32, 32, 1), 2, width=8)
    history = twin.package.fit(model, data, epochs=12, batch_size=8, seed=0, learning_rate=3e-3, verbose=False)
    assert history.task == "detection" and history.epochs == 12 and history.framework == twin.name
    assert set(history.val) == {"loss", "cpm"} and 1 <= history.best_epoch <= 12
    found = twin.detection.detect(model, data.test[0])
    assert detection.mean_cpm(data.test[1], found, 2) > 0.6


def test_fit_detector_refuses_a_classification_dataset(twin):
    from twins import tiny_dataset

    model = twin.detection.heatmap_detector((16, 16, 1), 2, width=4)
    with pytest.raises(ValueError, match="fit_detector needs a medcourse Dataset with task 'detection'"):
        twin.detection.fit_detector(model, tiny_dataset(), epochs=1)
