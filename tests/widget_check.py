"""Build every explorer in medcourse.widgets, move each of its sliders, and report what redrew.

Run as a script by tests/test_widgets_compat.py, once with the installed ipywidgets (8.x) and once
with ipywidgets 7.7.1 (Colab's version) placed first on PYTHONPATH. Prints one JSON line.
"""

import inspect
import json
import sys

import matplotlib

matplotlib.use("Agg")

import ipywidgets
import matplotlib.backend_bases
import matplotlib.figure
import numpy as np

import medcourse.widgets

redraws = 0


def _counting(method):
    def wrapper(*args, **kwargs):
        global redraws
        redraws += 1
        return method(*args, **kwargs)

    return wrapper


matplotlib.figure.Figure.__init__ = _counting(matplotlib.figure.Figure.__init__)
matplotlib.backend_bases.FigureCanvasBase.draw_idle = _counting(matplotlib.backend_bases.FigureCanvasBase.draw_idle)


def detection_sample():
    """Four generated lesion fields, their boxes, and noisy detections of them plus false marks (notebook 06)."""
    from medcourse.data import load_dataset

    data = load_dataset("lesions", detection=True, train_size=4, val_size=4, test_size=4)
    images, labels = data.test
    rng = np.random.default_rng(0)
    detections = []
    for objects in labels:
        found = np.column_stack([objects[:, :4] + rng.normal(0, 1, objects[:, :4].shape), objects[:, 4],
                                 rng.uniform(0.3, 1.0, len(objects))])
        false = np.column_stack([rng.uniform(0, 63, (2, 2)), np.full((2, 2), 6.0), rng.integers(0, 4, 2),
                                 rng.uniform(0.05, 0.6, 2)])
        detections.append(np.concatenate([found, false]))
    return images, labels, detections


def segmentation_sample():
    """One hippocampus test patient's slices and masks, and probabilities made by blurring the masks (notebook 05)."""
    from scipy import ndimage

    from medcourse.data import hippocampus, load_dataset

    patient = hippocampus.volumes(load_dataset("hippocampus"), "test")[0]
    one_hot = np.eye(3)[patient.truth]
    probabilities = ndimage.gaussian_filter(one_hot, sigma=(0, 1.5, 1.5, 0))
    return patient.image, patient.truth, probabilities / probabilities.sum(axis=-1, keepdims=True)


def sample_arguments(function):
    """Arguments for explorers that need data: a CT slice for images, a cine loop for sequences."""
    from medcourse.data import scans

    required = [p.name for p in inspect.signature(function).parameters.values()
                if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    rng = np.random.default_rng(0)
    hidden, inputs, steps = 4, 3, 6
    samples = {"image": lambda: scans.load_ct_slice().image,
               "x": lambda: rng.normal(size=(steps, inputs)),                   # one sequence (T, input)
               "W_xh": lambda: rng.normal(scale=0.5, size=(hidden, inputs)),
               "W_hh": lambda: rng.normal(scale=0.5, size=(hidden, hidden)),
               "b_h": lambda: np.zeros(hidden),
               "volume": lambda: scans.load_nifti_volume().image,
               "sequence": lambda: scans.load_ultrasound_cine().image[:8, ::4, ::4, 0],
               "images": lambda: detection_sample()[0],      # detection_explorer: fields, boxes, detections
               "labels": lambda: detection_sample()[1],
               "detections": lambda: detection_sample()[2],
               "scan": lambda: segmentation_sample()[0],    # segmentation_explorer: slices, masks, probabilities
               "truth": lambda: segmentation_sample()[1],
               "probabilities": lambda: segmentation_sample()[2]}
    missing = [name for name in required if name not in samples]
    if missing:
        raise TypeError(f"no sample for argument(s) {missing}: teach tests/widget_check.py about them")
    return [samples[name]() for name in required]


def sliders(widget):
    found = []
    if isinstance(widget, (ipywidgets.FloatSlider, ipywidgets.IntSlider, ipywidgets.FloatRangeSlider,
                           ipywidgets.IntRangeSlider, ipywidgets.SelectionSlider)):
        found.append(widget)
    for child in getattr(widget, "children", ()):
        found += sliders(child)
    return found


def moved(slider):
    if isinstance(slider, ipywidgets.SelectionSlider):
        options = list(slider.options)
        return options[(options.index(slider.value) + 1) % len(options)]
    if isinstance(slider.value, tuple):
        low, high = slider.value
        return (low, high - slider.step) if high - slider.step > low else (low, high)
    return slider.max if slider.value != slider.max else slider.min


report = {"ipywidgets": ipywidgets.__version__, "explorers": {}}
for name in medcourse.widgets.__all__:
    if not name.endswith("_explorer"):
        continue
    result = {"built": False, "sliders": 0, "updated": [], "error": None}
    try:
        explorer = getattr(medcourse.widgets, name)
        widget = explorer(*sample_arguments(explorer))
        result["built"] = isinstance(widget, ipywidgets.Widget)
        for slider in sliders(widget):
            before = redraws
            slider.value = moved(slider)
            result["updated"].append(redraws > before)
        result["sliders"] = len(result["updated"])
    except Exception as error:  # reported, and the test fails on it
        result["error"] = f"{type(error).__name__}: {error}"
    report["explorers"][name] = result
print(json.dumps(report))
sys.exit(0)
