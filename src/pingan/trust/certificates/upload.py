"""The body of a photographed QR code: raw image bytes, or one part of a multipart form.

The image verify endpoint takes both, so a page can send a file as it is (``fetch`` with the
file as the body) and a third party can use ``curl -F image=@photo.jpg``. Multipart is read
with the standard library's MIME parser: the form parser FastAPI would use is a dependency the
platform does not otherwise need, for one endpoint."""

from __future__ import annotations

from email import policy
from email.message import Message
from email.parser import BytesParser

from fastapi import Request

from pingan.errors import ValidationFailed
from pingan.i18n import msg
from pingan.trust.certificates import scan

PATH = "/api/v1/trust/certificates/verify/image"
# The request body's limit (BodySizeLimit, by path): the image's own (4 MB, checked again by
# decode_qr) and room for a form's part headers. The page scales larger photos down.
MAX_BYTES = scan.MAX_BYTES + 64 * 1024
FIELD = "image"


class Upload:
    """The image bytes and, from a form, the holder's PIN field."""

    def __init__(self, image: bytes, pin: str | None = None) -> None:
        self.image, self.pin = image, pin


def _parts(content_type: str, body: bytes) -> list[Message]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    return list(message.iter_parts()) if message.is_multipart() else []


def _form(content_type: str, body: bytes) -> Upload:
    fields: dict[str, Message] = {}
    for part in _parts(content_type, body):
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            fields.setdefault(name, part)
    image = fields.get(FIELD) or next(
        (p for p in fields.values() if p.get_filename()), None
    )  # the form's one file, whatever its field is called
    if image is None:
        raise ValidationFailed(msg("trust.cert.no_image"), code="no_image")
    pin = fields.get("pin")
    pin_text = pin.get_payload(decode=True).decode("utf-8", "replace").strip() if pin else ""
    return Upload(image.get_payload(decode=True) or b"", pin_text or None)


async def read(request: Request) -> Upload:
    """FastAPI dependency: the request's image (the size limit is the middleware's, by path)."""
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        return _form(content_type, body)
    if not body:
        raise ValidationFailed(msg("trust.cert.no_image"), code="no_image")
    return Upload(body)
