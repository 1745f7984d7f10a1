"""What the course knows about each MedMNIST file: URL, MD5 per image size, classes, task and split sizes.

URLs, MD5 checksums, classes and split sizes are those of MedMNIST's own ``medmnist/info.py``
(version 3.0.2, Zenodo record 10519652), including the MedMNIST+ sizes 64, 128 and 224 (2-D) and
64 (3-D). Cite MedMNIST and the source dataset when you use them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

#: Where the files are downloaded from (tests point it at a local server).
BASE_URL = "https://zenodo.org/records/10519652/files"
HOMEPAGE = "https://medmnist.com/"
CITATION = (
    "Jiancheng Yang, Rui Shi, Donglai Wei, Zequan Liu, Lin Zhao, Bilian Ke, Hanspeter Pfister, "
    "Bingbing Ni. MedMNIST v2 - A large-scale lightweight benchmark for 2D and 3D biomedical image "
    "classification. Scientific Data 10, 41 (2023). Please also cite the source dataset."
)
#: The arrays every MedMNIST file holds.
KEYS = tuple(f"{split}_{kind}" for split in ("train", "val", "test") for kind in ("images", "labels"))
_TASKS = {"multi-class": "multiclass", "binary-class": "binary", "multi-label, binary-class": "multilabel",
          "ordinal-regression": "multiclass"}
_ORGANS = ("bladder", "femur-left", "femur-right", "heart", "kidney-left", "kidney-right", "liver",
           "lung-left", "lung-right", "pancreas", "spleen")

#: MD5 of each official file by flag and image size, from MedMNIST's ``medmnist/info.py`` v3.0.2 (``MD5``,
#: ``MD5_64``, ``MD5_128``, ``MD5_224``). The 3-D datasets come in 28³ and 64³ only.
MD5: dict[str, dict[int, str]] = {
    "pathmnist": {28: "a8b06965200029087d5bd730944a56c1", 64: "55aa9c1e0525abe5a6b9d8343a507616",
                  128: "ac42d08fb904d92c244187169d1fd1d9", 224: "2c51a510bcdc9cf8ddb2af93af1eadec"},
    "chestmnist": {28: "02c8a6516a18b556561a56cbdd36c4a8", 64: "9de6cd0b934ebb5b7426cfba5efbae16",
                   128: "db107e5590b27930b62dbaf558aebee3", 224: "45bd33e6f06c3e8cdb481c74a89152aa"},
    "dermamnist": {28: "0744692d530f8e62ec473284d019b0c7", 64: "b70a2f5635c6199aeaa28c31d7202e1f",
                   128: "2defd784463fa5243564e855ed717de1", 224: "8974907d8e169bef5f5b96bc506ae45d"},
    "octmnist": {28: "c68d92d5b585d8d81f7112f81e2d0842", 64: "e229e9440236b774d9f0dfef9d07bdaf",
                 128: "0a97e76651ace45c5d943ee3f65b63ae", 224: "abc493b6d529d5de7569faaef2773ba3"},
    "pneumoniamnist": {28: "28209eda62fecd6e6a2d98b1501bb15f", 64: "8f4eceb4ccffa70c672198ea285246c6",
                       128: "05b46931834c231683c68f40c47b2971", 224: "d6a3c71de1b945ea11211b03746c1fe1"},
    "retinamnist": {28: "bd4c0672f1bba3e3a89f0e4e876791e4", 64: "afda852cc34dcda56f86ad2b2457dbcc",
                    128: "e48e916a24454daf90583d4e6efb1a18", 224: "eae7e3b6f3fcbda4ae613ebdcbe35348"},
    "breastmnist": {28: "750601b1f35ba3300ea97c75c52ff8f6", 64: "742edef2a1fd1524b2efff4bd7ba9364",
                    128: "363e4b3f8d712e9b5de15470a2aaadf1", 224: "b56378a6eefa9fed602bb16d192d4c8b"},
    "bloodmnist": {28: "7053d0359d879ad8a5505303e11de1dc", 64: "2b94928a2ae4916078ca51e05b6b800b",
                   128: "adace1e0ed228fccda1f39692059dd4c", 224: "b718ff6835fcbdb22ba9eacccd7b2601"},
    "tissuemnist": {28: "ebe78ee8b05294063de985d821c1c34b", 64: "123ece2eba09d0aa5d698fda57103344",
                    128: "61b955355d7425a89687b06cca3ce0c2", 224: "b077128c4a949f0a4eb01517f9037b9c"},
    "organamnist": {28: "68e3f8846a6bd62f0c9bf841c0d9eacc", 64: "2dcccc29b88e6da5a01161ef20cda288",
                    128: "eeae80d0a227a8d099027e1b3cfd3b60", 224: "50747347e05c87dd3aaf92c49f9f3170"},
    "organcmnist": {28: "b9ceb9546e10131b32923c5bbeaea2b1", 64: "3ce34a8724ea6f548e6db4744d03b6a9",
                    128: "773c1f009daa3fe5d9a2a201b2a7ed94", 224: "050f5e875dc056f6768abf94ec9995d1"},
    "organsmnist": {28: "9ab87b696fb54e2a387ebe992d6ed5f1", 64: "53a6d115339d874c25e309a994ff46d3",
                    128: "ded0c5fa01a95dc4978b956f613e9b8e", 224: "b354719e553fbbb2513d5533f52a4cb1"},
    "organmnist3d": {28: "a0c5a1ff56af4f155c46d46fbb45a2fe", 64: "58a2205adf14a9d0a189cb06dc78bf10"},
    "nodulemnist3d": {28: "8755a7e9e05a4d9ce80a24c3e7a256f3", 64: "c47c5b7d457bf6332200d2ea6d64ecd8"},
    "adrenalmnist3d": {28: "bbd3c5a5576322bc4cdfea780653b1ce", 64: "17721accfe9fb005146a47d33bc54b2f"},
    "fracturemnist3d": {28: "6aa7b0143a6b42da40027a9dda61302f", 64: "f01d7e6316aedf4210da0da5b7437b42"},
    "vesselmnist3d": {28: "b41fd4f7e7e2feedddb201585ecafa1b", 64: "6bb274a8846e1097066dcd64e2c4520f"},
    "synapsemnist3d": {28: "1235b78a3cd6280881dd7850a78eadb6", 64: "43bd14ebf3af9d3dd072446fedc14d5e"},
}


@dataclass(frozen=True)
class MedMNISTInfo:
    """What the course knows about one MedMNIST dataset, in each of its image sizes."""

    flag: str
    md5s: Mapping[int, str]
    source_task: str
    classes: tuple[str, ...]
    channels: int
    samples: dict[str, int] = field(default_factory=dict)
    volumetric: bool = False
    licence: str = "CC BY 4.0"
    description: str = ""

    @property
    def task(self) -> str:
        """The medcourse task name (``"binary"``, ``"multiclass"`` or ``"multilabel"``)."""
        return _TASKS[self.source_task]

    @property
    def sizes(self) -> tuple[int, ...]:
        """The image sizes MedMNIST publishes for this dataset (28, 64, 128, 224 for 2-D; 28, 64 for 3-D)."""
        return tuple(sorted(self.md5s))

    def check_size(self, size) -> int:
        """``size`` as an int when MedMNIST publishes it for this dataset; ValueError naming the choices."""
        if isinstance(size, bool) or not isinstance(size, int) or size not in self.md5s:
            kind = "3-D" if self.volumetric else "2-D"
            raise ValueError(f"size must be one of {self.sizes} for the {kind} MedMNIST dataset "
                             f"{self.flag!r}, got {size!r}")
        return size

    def file_name(self, size: int = 28) -> str:
        """``<flag>.npz`` for 28 pixels, ``<flag>_<size>.npz`` for the MedMNIST+ sizes (MedMNIST's names)."""
        return f"{self.flag}.npz" if self.check_size(size) == 28 else f"{self.flag}_{size}.npz"

    def md5_for(self, size: int = 28) -> str:
        return self.md5s[self.check_size(size)]

    def url_for(self, size: int = 28) -> str:
        return f"{BASE_URL}/{self.file_name(size)}?download=1"

    def image_shape_for(self, size: int = 28) -> tuple[int, ...]:
        """One image: ``(s, s)`` grey, ``(s, s, 3)`` colour, ``(s, s, s)`` for a 3-D volume."""
        size = self.check_size(size)
        if self.volumetric:
            return (size, size, size)
        return (size, size) if self.channels == 1 else (size, size, self.channels)

    @property
    def md5(self) -> str:
        """MD5 of the 28-pixel file."""
        return self.md5s[28]

    @property
    def url(self) -> str:
        """URL of the 28-pixel file."""
        return self.url_for(28)

    @property
    def image_shape(self) -> tuple[int, ...]:
        """Shape of one 28-pixel image."""
        return self.image_shape_for(28)


def _info(flag, task, classes, channels, train, val, test, description, *, volumetric=False,
          licence="CC BY 4.0"):
    return flag, MedMNISTInfo(flag, MD5[flag], task, tuple(classes), channels,
                              {"train": train, "val": val, "test": test}, volumetric, licence, description)


#: Every MedMNIST v3 dataset by flag (MD5s per size in :data:`MD5`).
REGISTRY: dict[str, MedMNISTInfo] = dict([
    _info("pathmnist", "multi-class",
          ("adipose", "background", "debris", "lymphocytes", "mucus", "smooth muscle", "normal colon mucosa",
           "cancer-associated stroma", "colorectal adenocarcinoma epithelium"), 3, 89996, 10004, 7180,
          "Colorectal cancer histology patches (H&E, NCT-CRC-HE-100K / CRC-VAL-HE-7K), 9 tissue types."),
    _info("chestmnist", "multi-label, binary-class",
          ("atelectasis", "cardiomegaly", "effusion", "infiltration", "mass", "nodule", "pneumonia",
           "pneumothorax", "consolidation", "edema", "emphysema", "fibrosis", "pleural", "hernia"), 1,
          78468, 11219, 22433, "Frontal chest X-rays (NIH ChestX-ray14), 14 text-mined findings (multi-label)."),
    _info("dermamnist", "multi-class",
          ("actinic keratoses and intraepithelial carcinoma", "basal cell carcinoma",
           "benign keratosis-like lesions", "dermatofibroma", "melanoma", "melanocytic nevi",
           "vascular lesions"), 3, 7007, 1003, 2005,
          "Dermatoscopic images of pigmented skin lesions (HAM10000), 7 diagnoses.", licence="CC BY-NC 4.0"),
    _info("octmnist", "multi-class",
          ("choroidal neovascularization", "diabetic macular edema", "drusen", "normal"), 1,
          97477, 10832, 1000, "Retinal optical coherence tomography (OCT) B-scans, 4 diagnoses."),
    _info("pneumoniamnist", "binary-class", ("normal", "pneumonia"), 1,
          4708, 524, 624, "Paediatric chest X-rays, pneumonia against normal."),
    _info("retinamnist", "ordinal-regression", ("0", "1", "2", "3", "4"), 3,
          1080, 120, 400, "Retina fundus photographs (DeepDRiD), diabetic retinopathy grade 0–4 "
          "(ordinal; loaded as 5 classes)."),
    _info("breastmnist", "binary-class", ("malignant", "normal, benign"), 1,
          546, 78, 156, "Breast ultrasound images, malignant against normal or benign."),
    _info("bloodmnist", "multi-class",
          ("basophil", "eosinophil", "erythroblast",
           "immature granulocytes (myelocytes, metamyelocytes and promyelocytes)", "lymphocyte", "monocyte",
           "neutrophil", "platelet"), 3, 11959, 1712, 3421,
          "Microscope images of individual normal blood cells, 8 cell types."),
    _info("tissuemnist", "multi-class",
          ("Collecting Duct, Connecting Tubule", "Distal Convoluted Tubule", "Glomerular endothelial cells",
           "Interstitial endothelial cells", "Leukocytes", "Podocytes", "Proximal Tubule Segments",
           "Thick Ascending Limb"), 1, 165466, 23640, 47280,
          "Human kidney cortex cells (BBBC051), 8 cell types, maximum projection of 7 slices."),
    _info("organamnist", "multi-class", _ORGANS, 1, 34561, 6491, 17778,
          "Axial abdominal CT slices (LiTS) in an abdominal window, 11 organs."),
    _info("organcmnist", "multi-class", _ORGANS, 1, 12975, 2392, 8216,
          "Coronal abdominal CT slices (LiTS) in an abdominal window, 11 organs."),
    _info("organsmnist", "multi-class", _ORGANS, 1, 13932, 2452, 8827,
          "Sagittal abdominal CT slices (LiTS) in an abdominal window, 11 organs."),
    _info("organmnist3d", "multi-class",
          ("liver", "kidney-right", "kidney-left", "femur-right", "femur-left", "bladder", "heart",
           "lung-right", "lung-left", "spleen", "pancreas"), 1, 971, 161, 610,
          "Abdominal CT volumes (LiTS) around 11 organs, 28×28×28.", volumetric=True),
    _info("nodulemnist3d", "binary-class", ("benign", "malignant"), 1,
          1158, 165, 310, "Thoracic CT volumes around lung nodules (LIDC-IDRI), benign against malignant, "
          "1 mm isotropic, 28×28×28.", volumetric=True),
    _info("adrenalmnist3d", "binary-class", ("normal", "hyperplasia"), 1,
          1188, 98, 298, "3-D shape masks of adrenal glands from CT, normal against mass.", volumetric=True),
    _info("fracturemnist3d", "multi-class",
          ("buckle rib fracture", "nondisplaced rib fracture", "displaced rib fracture"), 1, 1027, 103, 240,
          "Chest CT volumes around rib fractures (RibFrac), 3 fracture types.", volumetric=True),
    _info("vesselmnist3d", "binary-class", ("vessel", "aneurysm"), 1,
          1335, 191, 382, "Voxelised brain-vessel segments from MRA (IntrA), vessel against aneurysm.",
          volumetric=True),
    _info("synapsemnist3d", "binary-class",
          ("inhibitory synapse", "excitatory synapse"), 1, 1230, 177, 352,
          "Electron-microscopy volumes of rat synapses, inhibitory against excitatory.", volumetric=True),
])


__all__ = ["BASE_URL", "CITATION", "HOMEPAGE", "KEYS", "MD5", "REGISTRY", "MedMNISTInfo"]
