from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler

MB = 1024 * 1024


def upload_limit_bytes() -> int:
    return settings.CONSULT_MAX_UPLOAD_MB * MB


class ConsultMemoryUploadHandler(MemoryFileUploadHandler):
    """Keeps a consult's images in memory up to CONSULT_MAX_UPLOAD_MB (not FILE_UPLOAD_MAX_MEMORY_SIZE), so that
    an original is never spooled to a temporary file on disk. Bigger bodies are refused by the view first."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = content_length is not None and content_length <= upload_limit_bytes()
