"""Member cards (会员卡): a member key made for the card, and the QR code printed on it.

The QR code holds a link to the member's own page with the key in the fragment
(``/me/#key=...``, see ``timebank.io.cards``), so a phone's camera opens the page signed
in. The key is stored as its digest only, like every key: the link and the picture are
the one place the secret exists, answered this once. A lost card is a key to revoke
(``timebank keys revoke``), and a new card is a new key.
"""

from __future__ import annotations

import attrs

from timebank.errors import ValidationError
from timebank.i18n import T
from timebank.io.cards import card_link, card_qr_png, card_qr_svg
from timebank.services.keys import create
from timebank.store.db import Store
from timebank.store.uow import UnitOfWork

__all__ = ["FORMATS", "Cards", "MemberCard", "issue"]

FORMATS = {"svg": "image/svg+xml", "png": "image/png"}


@attrs.frozen
class MemberCard:
    """A card's key (``key_id``, to revoke it), the link the QR code holds and the QR code
    (``image`` in ``content_type``; empty for ``json``)."""

    key_id: int
    member: str
    link: str
    image: bytes
    content_type: str


def issue(uow: UnitOfWork, member: str, *, base_url: str, kind: str = "svg",
          label: str = "card") -> MemberCard:
    """A new member key for ``member`` and its card link and QR code. The base URL and
    the format are checked before the key is made, so bad input writes nothing."""
    if kind not in (*FORMATS, "json"):
        raise ValidationError(T("format must be one of {formats}", formats="svg, png, json"),
                              field="format")
    card_link(base_url, "")  # refuses a base URL that is not http(s) before any write
    made = create(uow, "member", member=member, label=label)
    link = card_link(base_url, made.token)
    image = b"" if kind == "json" else (card_qr_svg(link) if kind == "svg"
                                        else card_qr_png(link))
    return MemberCard(made.id, member, link, image, FORMATS.get(kind, "application/json"))


class Cards:
    def __init__(self, store: Store) -> None:
        self.store = store

    def issue(self, community: str, member: str, *, base_url: str, kind: str = "svg",
              label: str = "card") -> MemberCard:
        """A member key for ``member``'s card, with the link to ``base_url`` + ``/me/``
        and its QR code as ``kind`` (svg, png; json: the link alone). One transaction."""
        return self.store.transact(community, lambda uow: issue(
            uow, member, base_url=base_url, kind=kind, label=label))
