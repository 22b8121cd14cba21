"""The certificate's QR payload drawn as a PNG, for the holder to show on their phone.

The code matrix comes from reportlab's QR encoder (reportlab is already a dependency, for the
PDF exports); reportlab's own bitmap renderer needs a C backend (rlPyCairo) that is not
installed, so the modules are painted with Pillow, which reportlab itself requires. Level M,
like the size estimate in `qr.py`: about version 13 for a typical payload.
"""

from __future__ import annotations

from io import BytesIO

from PIL import Image
from reportlab.graphics.barcode import qrencoder

QUIET_ZONE = 4  # modules of white around the code (ISO/IEC 18004 asks for four)
MODULE_PX = 6  # pixels per module: a version 13 code is 462 px wide, sharp on a phone


def png(payload: str, *, module_px: int = MODULE_PX) -> bytes:
    """The payload as a black-on-white QR code, byte mode, error correction level M."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.make()
    side = code.getModuleCount() + 2 * QUIET_ZONE
    image = Image.new("1", (side, side), 1)
    pixels = image.load()
    for r, row in enumerate(code.modules):
        for c, dark in enumerate(row):
            if dark:
                pixels[c + QUIET_ZONE, r + QUIET_ZONE] = 0
    image = image.resize((side * module_px, side * module_px), Image.Resampling.NEAREST)
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
