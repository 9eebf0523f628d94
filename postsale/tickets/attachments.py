"""What may be attached to a ticket message: a few files of limited size and known types.
Images are decoded to prove they are images; nothing is trusted from the client's
content type, and nothing is ever served inline (see the download views)."""

import io
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from postsale.core.errors import Invalid

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif",
                 "WEBP": "image/webp"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
OTHER_TYPES = {".pdf": "application/pdf", ".txt": "text/plain"}
# Decoding a hostile image must not eat the machine.
Image.MAX_IMAGE_PIXELS = 50_000_000


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    data: bytes


def _name(upload: UploadedFile) -> str:
    name = PurePath((upload.name or "file").replace("\\", "/")).name
    return "".join(ch for ch in name if ch.isprintable())[:150] or "file"


def check_attachments(uploads: list[UploadedFile], field: str = "attachments"
                      ) -> list[CheckedFile]:
    """The uploads as safe files, or Invalid naming the first one that is not."""
    if len(uploads) > settings.POSTSALE_ATTACHMENT_MAX_FILES:
        raise Invalid(_("Attach at most %(n)d files.")
                      % {"n": settings.POSTSALE_ATTACHMENT_MAX_FILES},
                      {field: _("Too many files.")})
    return [check_attachment(upload, f"{field}[{i}]") for i, upload in enumerate(uploads)]


def check_attachment(upload: UploadedFile, field: str) -> CheckedFile:
    name = _name(upload)
    limit = settings.POSTSALE_ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        message = _("%(name)s is too large: files may be at most %(mb)s MB.") % {
            "name": name, "mb": limit // (1024 * 1024) or round(limit / 1048576, 2)}
        raise Invalid(message, {field: message})
    data = upload.read(limit + 1)
    if len(data) > limit:
        message = _("%(name)s is too large.") % {"name": name}
        raise Invalid(message, {field: message})
    if not data:
        message = _("%(name)s is empty.") % {"name": name}
        raise Invalid(message, {field: message})
    extension = PurePath(name).suffix.lower()
    if extension in IMAGE_EXTENSIONS:
        return CheckedFile(name, _image_type(data, name, field), data)
    if extension == ".pdf" and data.startswith(b"%PDF-"):
        return CheckedFile(name, OTHER_TYPES[".pdf"], data)
    if extension == ".txt" and _is_text(data):
        return CheckedFile(name, OTHER_TYPES[".txt"], data)
    message = _("%(name)s cannot be attached: send images (JPEG, PNG, GIF, WebP), PDF or "
                "plain text files.") % {"name": name}
    raise Invalid(message, {field: message}, code="unsupported_file")


def _image_type(data: bytes, name: str, field: str) -> str:
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.load()  # decode the pixels, not only the header
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        kind = None
    if kind not in IMAGE_FORMATS:
        message = _("%(name)s is not a readable image.") % {"name": name}
        raise Invalid(message, {field: message}, code="unsupported_file")
    return IMAGE_FORMATS[kind]


# Markup that a browser would run if the file were ever opened as a page: refused in a
# "text" file wherever it appears (a BOM, a comment or other text may come first).
_ACTIVE_MARKUP = ("<!doctype", "<html", "<svg", "<?xml", "<script", "<iframe", "<object",
                  "<embed")


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    lowered = text.lower()
    return "\x00" not in text and not any(tag in lowered for tag in _ACTIVE_MARKUP)
