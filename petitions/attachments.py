"""Checks on uploaded attachments: scanned letters and photos, nothing else.

The type is judged by the file's first bytes, not by its name or the browser's claim, so
that a renamed executable or web page is refused."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileType:
    content_type: str
    suffixes: tuple[str, ...]
    magic: tuple[bytes, ...]


FILE_TYPES = (
    FileType("application/pdf", (".pdf",), (b"%PDF-",)),
    FileType("image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
    FileType("image/png", (".png",), (b"\x89PNG\r\n\x1a\n",)),
    FileType("image/tiff", (".tif", ".tiff"), (b"II*\x00", b"MM\x00*")),
)
ALLOWED_SUFFIXES = tuple(suffix for kind in FILE_TYPES for suffix in kind.suffixes)


def max_bytes() -> int:
    return int(getattr(settings, "PETITION_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_upload(upload: UploadedFile) -> str:
    """The content type of an acceptable upload; ValidationError saying why otherwise."""
    name = upload.name or ""
    suffix = PurePath(name).suffix.lower()
    kinds = [kind for kind in FILE_TYPES if suffix in kind.suffixes]
    if not kinds:
        raise ValidationError(
            _("%(name)s: only scanned letters and photos are accepted (%(types)s).")
            % {"name": name, "types": " ".join(ALLOWED_SUFFIXES)}
        )
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    if upload.size > max_bytes():
        raise ValidationError(
            _("%(name)s is %(size)s; the limit is %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(max_bytes()),
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = kinds[0]
    if not any(head.startswith(magic) for magic in kind.magic):
        raise ValidationError(
            _("%(name)s is not really a %(suffix)s file.") % {"name": name, "suffix": suffix}
        )
    return kind.content_type
