"""The QR code on a member card: a link to the member's own page holding a member key
in the fragment (``/me/#key=...``), so a phone's camera opens the page signed in. The
fragment is never sent to a server, so the key stays out of access logs."""

from __future__ import annotations

import io
from urllib.parse import quote

import segno

from timebank.errors import ValidationError
from timebank.i18n import T

__all__ = ["card_link", "card_qr_png", "card_qr_svg"]


def card_link(base_url: str, token: str) -> str:
    """``https://host/prefix`` + ``/me/#key=<token>``."""
    base = base_url.strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ValidationError(T("the base URL starts with http:// or https://"),
                              field="base_url")
    return f"{base}/me/#key={quote(token, safe='')}"


def card_qr_svg(link: str, *, scale: int = 4) -> bytes:
    """The link as an SVG QR code (error correction M: survives a worn card)."""
    out = io.BytesIO()
    segno.make_qr(link, error="m").save(out, kind="svg", scale=scale, border=2,
                                         xmldecl=True, title="timebank")
    return out.getvalue()


def card_qr_png(link: str, *, scale: int = 8) -> bytes:
    """The link as a PNG QR code, for printers and card software that take no SVG."""
    out = io.BytesIO()
    segno.make_qr(link, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()
