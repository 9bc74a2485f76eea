"""What a file really is (by signature, not by its declared header) and whether a photo
still carries GPS tags. Pure: bytes and file-like objects in, answers out."""
import logging
import warnings
from typing import BinaryIO

import filetype
from PIL import Image, UnidentifiedImageError

from monitor.domain.vocabulary import ATTACHMENT_CONTENT_TYPES

# filetype reads at most this many leading bytes; all the formats accepted here are
# recognisable within it.
SIGNATURE_BYTES = 8192
GPS_IFD = 0x8825
# Pillow can read EXIF of these without a plugin; HEIC, PDF and audio get `null`.
EXIF_READABLE = ("image/jpeg", "image/png", "image/webp")
KIND_TYPES = {  # which declared types fit which kind of attachment
    "photo": ("image/",), "audio": ("audio/",),
    "medico_legal_report": ("application/pdf", "image/"),
    "custody_register": ("application/pdf", "image/"),
    "document": ("application/pdf", "image/"),
}
log = logging.getLogger(__name__)


def accepted_type(content_type: str) -> bool:
    """Is this declared content type one the server accepts at all?"""
    return content_type in ATTACHMENT_CONTENT_TYPES


def fits_kind(kind: str, content_type: str) -> bool:
    """Does a declared content type suit the kind of attachment (a photo is an image...)?"""
    return any(content_type.startswith(prefix) for prefix in KIND_TYPES[kind])


def signature_matches(content_type: str, head: bytes) -> bool:
    """Do the file's first bytes carry the signature of its declared content type?"""
    found = filetype.guess_mime(head[:SIGNATURE_BYTES]) if head else None
    return found is not None and found in ATTACHMENT_CONTENT_TYPES.get(content_type, ())


def gps_present(content_type: str, stream: BinaryIO) -> bool | None:
    """True if the image's EXIF holds GPS tags, False if not, None if it cannot be read."""
    if content_type not in EXIF_READABLE:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                exif = image.getexif()
                return bool(exif.get_ifd(GPS_IFD))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # A damaged or hostile image: its metadata is unknown, which `null` says.
        log.info("EXIF unreadable (%s): %s", content_type, exc.__class__.__name__)
        return None
