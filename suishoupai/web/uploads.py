"""Uploads are refused while they stream in, never after they were read whole.

Django hands each chunk of an uploaded file to every handler in
FILE_UPLOAD_HANDLERS; this one comes first and stops the parser as soon as one
file passes PHOTO_MAX_BYTES. The rest of the file is never read, what was read
sits in a temporary file (FILE_UPLOAD_MAX_MEMORY_SIZE), and the request guard
(web.middleware) answers with the same message as the photo checks.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from suishoupai.photos.services import shown_name


class FileTooLarge(MultiPartParserError):
    # A MultiPartParserError, so that Django marks the form as unreadable and no
    # later code parses it again.
    def __init__(self, name: str):
        self.message = _("Photo “%(name)s” is larger than %(mb)d MB.") % {
            "name": shown_name(name),
            "mb": settings.PHOTO_MAX_BYTES // (1024 * 1024),
        }
        super().__init__(self.message)


class LimitedUploadHandler(FileUploadHandler):
    def new_file(self, field_name, file_name, *args, **kwargs) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.PHOTO_MAX_BYTES:
            raise FileTooLarge(self.file_name or "")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
