"""The consult image pipeline: de-identification on upload and previews (no models, no storage).

The consults app stores what `intake_uploads` returns and serves what `preview_render` draws; nothing
here touches the disk or the database. For the caller:

- a ValidationError from `intake_uploads` means nothing of the upload may be kept; its message names the
  file and is translated into the active language;
- `burn_in_suspected` images (ultrasound, screen captures, BurnedInAnnotation YES, every photo) should be
  confirmed by the uploader before a volunteer sees them: de-identification cannot reach text drawn in
  the pixels;
- a form posting many files is also capped by Django's DATA_UPLOAD_MAX_NUMBER_FILES (100 by default),
  apart from CONSULT_MAX_FILES; a zip counts as one file there;
- `preview_render(..., frame=n)` scrolls through a multi-frame image (`IntakeImage.frame_count`);
  previews are `preview_content_type()` ("image/webp", or "image/png" where Pillow lacks WebP).
"""

from consults.imaging.intake import IntakeImage, intake_uploads
from consults.imaging.preview import (
    PRESETS,
    PREVIEW_CONTENT_TYPE,
    preset_choices,
    presets_for,
    preview_content_type,
    preview_render,
)

__all__ = [
    "PRESETS",
    "PREVIEW_CONTENT_TYPE",
    "IntakeImage",
    "intake_uploads",
    "preset_choices",
    "presets_for",
    "preview_content_type",
    "preview_render",
]
