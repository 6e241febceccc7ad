"""One exception hierarchy for the whole library.

Every broken rule has its own class whose docstring states the rule. ``code`` is the
stable machine-readable name that the HTTP layer and the CLI report (API.md's error codes);
the HTTP status is chosen by ``webapi`` from ``code``, never here.
"""

from __future__ import annotations

from typing import Any

from timebank.i18n import Text, render


class TimebankError(Exception):
    """Base of every error the library raises on purpose.

    ``message`` is a plain English string or a :class:`~timebank.i18n.Text` (a catalogue
    id and its values, ``T("unknown member {member!r}", member=code)``); ``.message`` is
    always the English sentence and ``render(lang)`` the caller's language (a plain
    string, not yet in the catalogue, stays English)."""

    code = "validation_error"

    def __init__(self, message: str | Text, **details: Any) -> None:
        self.text = message if isinstance(message, Text) else None
        self.message = str(message)
        super().__init__(self.message)
        self.details = details

    def __str__(self) -> str:
        return self.message

    def render(self, lang: str | None) -> str:
        return render(self.text, lang) if self.text is not None else self.message


# -- input -------------------------------------------------------------------------------


class ValidationError(TimebankError):
    """Input is malformed or out of range; ``details['field']`` names the field."""

    code = "validation_error"


class InvalidAmount(ValidationError):
    """Amounts and quantities are positive integers."""


class UnknownUnit(ValidationError):
    """A unit is one of ``points`` or ``minutes``."""


class UnbalancedEntry(ValidationError):
    """The postings of one entry sum to zero per unit, and there are at least two."""


class AmbiguousMember(ValidationError):
    """A look-up by card or phone finds one member; a phone a household shares (or a card
    given twice) finds several, and the desk asks for the card or member code instead
    (``details['matches']``: 2, for two or more)."""

    shown = ("matches",)  # a validation problem over HTTP carries it beside ``errors``


class RulebookError(ValidationError):
    """A rulebook failed to load; the message names the file, the rule and the field."""


# -- not found ---------------------------------------------------------------------------


class NotFound(TimebankError):
    """The thing asked for does not exist (in this community)."""

    code = "not_found"


class UnknownCommunity(NotFound):
    """Every operation names an existing community."""


class UnknownMember(NotFound):
    """A member is named by an existing code (or card, or phone) in the community."""


class UnknownEntry(NotFound):
    """A journal entry is named by an existing id in the community."""


class UnknownRule(NotFound):
    """A contribution names a rule of the community's rulebook."""


class UnknownGift(NotFound):
    """A redemption names a gift of the community's catalogue."""


class UnknownContribution(NotFound):
    """A contribution is named by an existing id in the community."""


# -- conflicts with the state of the books -----------------------------------------------


class InsufficientPoints(TimebankError):
    """An account's available balance (posted − held) never goes below zero."""

    code = "insufficient_points"


class OutOfStock(TimebankError):
    """A gift's stock never goes below zero."""

    code = "out_of_stock"


class LimitExceeded(TimebankError):
    """A per-member gift limit, a yearly transfer maximum or a storage cap holds."""

    code = "limit_exceeded"


class NotEligible(TimebankError):
    """A member's roles or tier allow the rule or gift being used."""

    code = "not_eligible"


class InvalidState(TimebankError):
    """A state change happens once, from the state it starts from (approve once, fulfil
    a held redemption, reverse an entry once, never reverse a reversal)."""

    code = "invalid_state"


class AlreadyReversed(InvalidState):
    """An entry is reversed at most once."""


class ReversalOfReversal(InvalidState):
    """A reversal is never itself reversed: post a new entry instead."""


class AlreadyExists(InvalidState):
    """Codes (communities, members, gifts, ...) are unique within their scope."""


class IdempotencyConflict(TimebankError):
    """An idempotency key is used for one request only; ``details['field']`` names the
    first field whose value differs from the first use."""

    code = "idempotency_conflict"


class CommitFailed(TimebankError):
    """A write is answered only once it is committed: when the one COMMIT of a group of
    writes sent at the same time fails (``timebank.store.batch``), none of them was
    written, and each caller is told to try again (503)."""

    code = "unavailable"


# -- access --------------------------------------------------------------------------------


class Unauthorized(TimebankError):
    """A request carries a known API key (or a resolved identity)."""

    code = "unauthorized"


class Forbidden(TimebankError):
    """A role acts only within its rights and its own community (or member)."""

    code = "forbidden"


class SelfApproval(Forbidden):
    """A contribution is approved by someone other than its recorder, unless the
    community's settings say ``allow_self_approval``."""


# -- integrity -----------------------------------------------------------------------------


class IntegrityFailure(TimebankError):
    """The stored history matches its hash chain and every stored balance matches its
    postings; raised by nothing but reported by ``verify``."""

    code = "integrity_failure"


# -- service records and certificates ------------------------------------------------------


class UnknownCertificate(NotFound):
    """A certificate is named by a number that was issued; the answer is the same for a
    number of another community, so the public check reveals nothing about others."""


class UnknownHonour(NotFound):
    """Honour hours are named by an existing id in the community."""


class NoServiceInPeriod(ValidationError):
    """A certificate proves service: a period with no counted service minutes gets none."""


class HonourExceedsService(LimitExceeded):
    """A participant's honour hours for an activity never exceed the activity's length:
    his approved service minutes on that day under that rule."""


class RateLimited(TimebankError):
    """The public certificate check answers a bounded number of requests per client."""

    code = "rate_limited"


class UnknownImport(NotFound):
    """An import is named by an existing id in the community."""


class PositionLimitExceeded(LimitExceeded):
    """A district's position limit: a cross-community act that would take a community's
    net clearing position (in a unit) beyond the limit is refused (``limit_exceeded``)."""
