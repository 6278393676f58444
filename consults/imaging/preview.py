"""Previews of de-identified images: small WebP (PNG where Pillow lacks WebP) pictures for slow links.

CT is shown in Hounsfield units (RescaleSlope and RescaleIntercept applied) through the classic
window presets; other grey-scale modalities have no fixed scale, so their window comes from the image
itself (the 0.5th to 99.5th percentiles). MONOCHROME1 images are inverted so bone stays white; colour
images (ultrasound Doppler, photographs) are shown as they are.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, features
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.pixels import apply_color_lut, pixel_array

# key -> (label, window centre, window width) in Hounsfield units. "auto" has no fixed window.
PRESETS: dict[str, tuple[str, int, int]] = {
    "soft_tissue": (_("Soft tissue"), 40, 400),
    "lung": (_("Lung"), -600, 1500),
    "bone": (_("Bone"), 400, 1800),
    "brain": (_("Brain"), 40, 80),
    "auto": (_("Automatic"), 0, 0),
}
HOUNSFIELD_MODALITIES = {"CT"}

WEBP = features.check("webp")
PREVIEW_CONTENT_TYPE = "image/webp" if WEBP else "image/png"


def presets_for(modality: str) -> list[str]:
    """The presets that mean something for this modality, the default first."""
    if modality.upper() in HOUNSFIELD_MODALITIES:
        return ["soft_tissue", "lung", "bone", "brain", "auto"]
    return ["auto"]


def default_preset_for(modality: str, body_part: str = "") -> str:
    if modality.upper() in HOUNSFIELD_MODALITIES:
        return "brain" if body_part.upper() in {"HEAD", "BRAIN", "SKULL"} else "soft_tissue"
    return "auto"


def preview_content_type() -> str:
    return PREVIEW_CONTENT_TYPE


def _encode(image: Image.Image, size: int) -> bytes:
    if image.width > size or image.height > size:
        image.thumbnail((size, size), Image.Resampling.BILINEAR, reducing_gap=2.0)
    out = io.BytesIO()
    if WEBP:
        image.save(out, format="WEBP", quality=80, method=1)
    else:
        image.save(out, format="PNG", compress_level=3)
    return out.getvalue()


def _to_8bit(values: np.ndarray, low: float, high: float) -> np.ndarray:
    if high <= low:
        high = low + 1
    scaled = (values.astype(np.float32) - low) * (255.0 / (high - low))
    return np.clip(scaled, 0, 255).astype(np.uint8)


def _auto_window(values: np.ndarray) -> tuple[float, float]:
    # Percentiles on a subsample: the same window to a grey level, at a fraction of the sort.
    step = max(1, min(values.shape[0], values.shape[1]) // 256)
    sample = values[::step, ::step]
    low, high = np.percentile(sample, (0.5, 99.5))
    return float(low), float(high)


def _rescale(dataset: Dataset) -> tuple[float, float]:
    try:
        slope = float(dataset.get("RescaleSlope", 1) or 1)
        intercept = float(dataset.get("RescaleIntercept", 0) or 0)
    except (TypeError, ValueError):
        return 1.0, 0.0
    return slope, intercept


def _grey(dataset: Dataset, frame: np.ndarray, preset: str) -> np.ndarray:
    modality = str(dataset.get("Modality", "")).upper()
    if preset != "auto" and preset in PRESETS and modality in HOUNSFIELD_MODALITIES:
        _label, centre, width = PRESETS[preset]
        # The window is moved into stored values (HU = slope x stored + intercept) instead of rescaling
        # every pixel to HU first: the same picture, one pass over the frame fewer.
        slope, intercept = _rescale(dataset)
        low, high = sorted(((centre - width / 2 - intercept) / slope, (centre + width / 2 - intercept) / slope))
    else:
        low, high = _auto_window(frame)
    grey = _to_8bit(frame, low, high)
    if str(dataset.get("PhotometricInterpretation", "")).upper() == "MONOCHROME1":
        grey = 255 - grey
    return grey


def _colour(dataset: Dataset, frame: np.ndarray) -> np.ndarray:
    if str(dataset.get("PhotometricInterpretation", "")).upper() == "PALETTE COLOR":
        frame = apply_color_lut(frame, dataset)
    if frame.dtype != np.uint8:
        top = float(frame.max()) or 1.0
        frame = (frame.astype(np.float32) * (255.0 / top)).astype(np.uint8)
    return frame


def decoder_failed(error: BaseException) -> bool:
    """True for what a decoder raises on a hostile or broken image, which is not always an Exception:
    the Rust-built pylibjpeg plugins report a panic as pyo3's PanicException, a BaseException."""
    return not isinstance(error, KeyboardInterrupt | SystemExit | GeneratorExit)


def frame_count(dataset: Dataset) -> int:
    try:
        return max(1, int(dataset.get("NumberOfFrames", 1) or 1))
    except (TypeError, ValueError):
        return 1


def dicom_frame(dataset: Dataset, index: int = 0) -> np.ndarray:
    """One decoded frame (grey values as stored, or RGB)."""
    index = min(max(index, 0), frame_count(dataset) - 1)
    return pixel_array(dataset, index=index if frame_count(dataset) > 1 else None)


def render_dataset(dataset: Dataset, *, preset: str, size: int, frame: int = 0) -> bytes:
    pixels = dicom_frame(dataset, frame)
    photometric = str(dataset.get("PhotometricInterpretation", "")).upper()
    if pixels.ndim == 3 or photometric == "PALETTE COLOR":
        image = Image.fromarray(_colour(dataset, pixels)[..., :3], mode="RGB")
    else:
        image = Image.fromarray(_grey(dataset, pixels, preset), mode="L")
    return _encode(image, size)


def preview_render(image_content: bytes, *, preset: str, kind: str = "dicom", size: int = 512, frame: int = 0) -> bytes:
    """A WebP (or PNG if WebP is unavailable) preview of one de-identified image at a window/level preset.

    An unknown preset, or one that has no meaning for the modality, falls back to the automatic window;
    `frame` picks a frame of a multi-frame image (clamped to the frames there are). Raises
    ValidationError when the content cannot be decoded.
    """
    try:
        if kind == "photo":
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(io.BytesIO(image_content))
                if image.width * image.height > settings.CONSULT_MAX_IMAGE_PIXELS:
                    raise ValueError("too many pixels")
                image.load()
            if image.mode not in {"RGB", "L"}:
                image = image.convert("RGB")
            return _encode(image, size)
        dataset = dcmread(io.BytesIO(image_content))
        return render_dataset(dataset, preset=preset, size=size, frame=frame)
    except BaseException as error:  # any decoder failure is the same thing to the reader: no preview
        if not decoder_failed(error):
            raise
        raise ValidationError(gettext("This image could not be drawn."), code="preview") from error


def preset_choices(modality: str) -> list[tuple[str, str]]:
    """(key, translated label) pairs for a preset picker."""
    return [(key, str(PRESETS[key][0])) for key in presets_for(modality)]
