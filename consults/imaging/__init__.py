"""The consult image pipeline: de-identification on upload and previews (no models, no storage).

The consults app stores what `intake_uploads` returns and serves what `preview_render` draws; nothing
here touches the disk or the database.
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
