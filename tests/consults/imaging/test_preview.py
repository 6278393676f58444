import io

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from consults.imaging import PRESETS, intake_uploads, preset_choices, presets_for, preview_content_type, preview_render
from tests.consults.imaging import samples


def intake(key: str, ds=None):
    content = samples.to_bytes(ds) if ds is not None else open(samples.path(key), "rb").read()
    [image] = intake_uploads([samples.upload(f"{key}.dcm", content)], request_key="r")
    return image


def opened(preview: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(preview))
    image.load()
    return image


def test_a_ct_preview_decodes_at_its_size_and_is_not_blank():
    image = intake("ct")

    preview = opened(preview_render(image.content, preset="soft_tissue"))

    assert preview.format == ("WEBP" if preview_content_type() == "image/webp" else "PNG")
    assert preview.size == (128, 128)  # never enlarged
    low, high = preview.convert("L").getextrema()
    assert high - low > 50


def test_a_large_image_is_scaled_down_to_fit():
    image = intake("jpeg2000")  # 256 x 1024

    preview = opened(preview_render(image.content, preset="auto", size=200))

    assert preview.size == (50, 200)


def test_ct_presets_show_different_pictures():
    image = intake("ct")

    pictures = {key: np.asarray(opened(preview_render(image.content, preset=key)).convert("L")) for key in PRESETS}

    assert not np.array_equal(pictures["lung"], pictures["bone"])
    assert not np.array_equal(pictures["soft_tissue"], pictures["brain"])
    # Air is black in a soft-tissue window, and a lung window shows more of the grey between.
    assert pictures["lung"].mean() > pictures["bone"].mean()


def test_monochrome1_is_inverted():
    plain = intake("mr")
    ds = samples.dataset("mr")
    ds.PhotometricInterpretation = "MONOCHROME1"
    inverted = intake("mr", ds)

    a = np.asarray(opened(preview_render(plain.content, preset="auto")).convert("L"), dtype=float)
    b = np.asarray(opened(preview_render(inverted.content, preset="auto")).convert("L"), dtype=float)

    assert abs((a + b).mean() - 255) < 8


COMPRESSED_AND_COLOUR = ["jpeg_extended", "jpeg2000", "jpeg2000_ct", "jpeg_ls", "rle", "rgb_jpeg", "us_palette"]


@pytest.mark.parametrize("key", COMPRESSED_AND_COLOUR)
def test_compressed_and_colour_images_preview(key):
    image = intake(key)

    preview = opened(preview_render(image.content, preset=image.default_preset))

    assert max(preview.size) == min(512, max(image.width, image.height))
    low, high = preview.convert("L").getextrema()
    assert high > low


def test_a_colour_ultrasound_clip_previews_any_frame_in_colour():
    image = intake("us_multiframe")

    first = opened(preview_render(image.content, preset="auto"))
    later = opened(preview_render(image.content, preset="auto", frame=20))
    beyond = opened(preview_render(image.content, preset="auto", frame=999))

    assert first.mode in {"RGB", "RGBA"}
    assert first.size == later.size == (320, 240)
    assert beyond.size == first.size


def test_a_photo_previews():
    photo_upload = samples.upload("p.jpg", samples.photo_with_exif("JPEG", size=(800, 400)))
    [photo] = intake_uploads([photo_upload], request_key="r")

    preview = opened(preview_render(photo.content, preset="auto", kind="photo", size=256))

    assert preview.size == (256, 128)


def test_an_unknown_preset_falls_back_to_the_automatic_window():
    image = intake("ct")

    assert preview_render(image.content, preset="nonsense") == preview_render(image.content, preset="auto")


def test_content_that_cannot_be_drawn_is_a_clear_error():
    with pytest.raises(ValidationError) as caught:
        preview_render(b"not an image", preset="auto")

    assert caught.value.messages == ["This image could not be drawn."]


def test_presets_offered_per_modality():
    assert presets_for("CT") == ["soft_tissue", "lung", "bone", "brain", "auto"]
    assert presets_for("MR") == ["auto"]
    assert presets_for("") == ["auto"]
    assert preset_choices("CT")[1] == ("lung", "Lung")
    assert PRESETS["lung"][1:] == (-600, 1500)
