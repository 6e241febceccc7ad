"""Keys over HTTP: a member card (会员卡), its member key and the QR code printed on it.

The answer holds the only copy of the key (in the link the QR code encodes), so it is
never cached and never replayed: a second request is a second key. The link points at
this server's own member page (``TIMEBANK_PUBLIC_URL`` when the host sets it, the address
residents can reach, else this request's host), so the pages must be mounted.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for
from werkzeug.routing import BuildError

from timebank.errors import InvalidState
from timebank.i18n import T
from webapi.api import bank
from webapi.auth import allow, community
from webapi.schemas.keys import CardOut, CardQuery
from webapi.views.base import blueprint

bp = blueprint("keys", "Member cards: a member key and its QR code.")


def _pages_base() -> str:
    """Where the pages live for a resident's phone: the public base and the pages prefix."""
    try:
        me = url_for("timebank_pages.me")
    except BuildError:
        raise InvalidState(T("this server serves no member page (mount the pages with "
                             "pages_prefix) for a card's link to open"),
                           field="pages") from None
    base = current_app.config.get("TIMEBANK_PUBLIC_URL") or request.host_url
    return str(base).rstrip("/") + me.removesuffix("/me/")


@bp.route("/members/<code>/card-key", methods=["POST"])
@allow("admin", "clerk")
@bp.arguments(CardQuery, location="query")
@bp.response(201, CardOut)
@bp.alt_response(201, schema={"type": "string", "format": "binary"},
                 content_type="image/svg+xml", success=True,
                 description="format=svg (the default): the QR code as SVG")
@bp.alt_response(201, schema={"type": "string", "format": "binary"},
                 content_type="image/png", success=True,
                 description="format=png: the QR code as PNG")
def card_key(query: dict[str, Any], code: str) -> Any:
    """A new member key for the member's card, answered as the QR code to print on it
    (a link to `/me/` signed in with the key). The key id is in `X-Timebank-Key-Id`;
    the answer is never stored or cached, and each call makes another key."""
    card = bank().cards.issue(community(), code, base_url=_pages_base(),
                              kind=query["format"], label=query["label"])
    headers = {"X-Timebank-Key-Id": str(card.key_id), "Cache-Control": "no-store"}
    if query["format"] == "json":
        return {"key_id": card.key_id, "member": card.member, "link": card.link}, 201, \
            headers
    return current_app.response_class(card.image, status=201, headers=headers,
                                      content_type=card.content_type)
