"""The pages' words, zh-CN first and English beside it; the JavaScript gets the same
table as JSON (``config.text``), so a page speaks one language from server to script.

Every word a person reads is in the message catalogue (``timebank/locale``): ``MESSAGES``
names each one by the key the templates and scripts use, the id is the English text, and
``{name}`` placeholders are filled in by the page's script (``TB.fill``). Only
``SETTINGS`` (the page's language tag and the switch to the other language, which names
that language in its own words) is kept per language here."""

from __future__ import annotations

from timebank.i18n import N_, translate

LANGS = ("zh", "en")

SETTINGS: dict[str, dict[str, str]] = {
    "zh": {"html_lang": "zh-CN", "other_lang": "English", "other_code": "en"},
    "en": {"html_lang": "en", "other_lang": "中文", "other_code": "zh"},
}

MESSAGES: dict[str, str] = {
    # the index
    "home_title": N_("Points service"), "home_desk": N_("Service-day desk"),
    "home_me": N_("My points"), "home_docs": N_("API docs"),
    "home_desk_hint": N_("Clerks and kiosks: look residents up by card, redeem gifts, "
                         "print receipts"),
    "home_me_hint": N_("Volunteers: your balance and statement, by the QR code on your "
                       "card"),
    # signing in
    "desk_title": N_("Service-day desk"), "me_title": N_("My points"),
    "key_label": N_("Key"), "sign_in": N_("Sign in"), "sign_out": N_("Sign out"),
    "key_hint": N_("The key is kept in this tab only and forgotten when it closes."),
    "signing_in": N_("Checking…"), "bad_key": N_("Unknown key"),
    "no_desk": N_("This key cannot open the desk (a clerk or kiosk key is needed)"),
    "no_me": N_("This is not a member key"),
    "key_refused": N_("This key is wrong or has been revoked"),
    "key_lapsed": N_("The key no longer opens the desk (revoked?): sign in again. "
                     "Redemptions waiting to send are kept."),
    # the desk
    "day": N_("Service day"), "pick_day": N_("Pick a service day"), "use_day": N_("Use"),
    "no_day": N_("No service day"), "open_day": N_("Open a service day"),
    "day_code": N_("Code"), "day_name": N_("Day name"), "day_date": N_("Date"),
    "change_day": N_("Change day"),
    "lookup": N_("Swipe a card, or type a phone or member code, then Enter"),
    "find": N_("Find"), "not_found": N_("Nobody found"), "looking": N_("Looking…"),
    "ambiguous": N_("Several people match {value}: swipe the card or type the member code"),
    "balance": N_("Available"), "tier": N_("Tier"), "no_tier": N_("none"),
    "code": N_("Code"), "gift": N_("Gift"), "cost": N_("Cost"), "stock": N_("Stock"),
    "limit_left": N_("May take"), "tier_gate": N_("Tier needed"), "add": N_("Add"),
    "remove": N_("Less"), "qty": N_("Qty"), "no_limit": N_("no limit"),
    "cart": N_("This redemption"), "total": N_("Total"), "after": N_("Balance after"),
    "redeem": N_("Redeem"), "clear": N_("Clear"), "new_resident": N_("Next"),
    "blocked_out_of_stock": N_("out of stock"), "blocked_not_eligible": N_("tier too low"),
    "blocked_limit_exceeded": N_("limit reached"),
    "receipt": N_("Receipt"), "receipt_code": N_("Receipt no."), "points": N_("Points"),
    "print": N_("Print receipt"), "member": N_("Member"), "items": N_("Items"),
    "online": N_("Connected"), "offline": N_("Offline"), "pending": N_("Waiting to send"),
    "sending": N_("Sending…"), "sent": N_("Sent"), "refused": N_("Refused"),
    "dismiss": N_("OK"),
    "queued_note": N_("Offline: the redemption is saved and will be sent when the "
                      "connection is back (never spent twice)."),
    "shortcuts": N_("Keys: Enter find · digit adds gift N · F9 redeem · Esc next"),
    # a member's own page
    "statement": N_("Statement"), "when": N_("When"), "what": N_("What"),
    "amount": N_("Change"), "balance_after": N_("Balance"), "per_unit": N_("Balances"),
    "next_tier": N_("Next tier"), "needed": N_("needs"), "top_tier": N_("top tier reached"),
    "earned": N_("earned"), "unit_points": N_("points"), "unit_minutes": N_("time (minutes)"),
    "held": N_("held"), "owed": N_("owed"),
    "kind_award": N_("Earned"), "kind_spend": N_("Redeemed"), "kind_capture": N_("Redeemed"),
    "kind_transfer": N_("Transfer"), "kind_donation": N_("Donated"),
    "kind_grant": N_("Granted"), "kind_adjustment": N_("Adjustment"),
    "kind_expiry": N_("Expired"), "kind_reversal": N_("Reversal"), "kind_post": N_("Entry"),
    "kind_exchange": N_("Exchange"),
    "rule": N_("rule"), "contribution": N_("contribution"), "approver": N_("approved by"),
    "reason": N_("reason"), "reverses": N_("reverses entry"), "no_lines": N_("No lines yet"),
    "read_only": N_("Read only"), "error": N_("Something went wrong"),
    "me_expiring": N_("Expiring soon"),
    "me_expiring_line": N_("{amount}: use by {day}"),
    "me_expiring_none": N_("Nothing expires in the next {days} days"),
    "me_requests": N_("My requests under way"),
    "me_requests_none": N_("No requests under way"),
    "me_request_posted": N_("I asked for help"),
    "me_request_claimed": N_("I am helping"),
    "me_request_needed": N_("needed on {day}"),
    "me_request_volunteers": N_("volunteers: {names}"),
    "request_open": N_("waiting for a volunteer"),
    "request_claimed": N_("a volunteer is on it"),
    "request_disputed": N_("in dispute, the office settles it"),
    "me_certificates": N_("My service certificates"),
    "me_certificates_none": N_("No certificates yet"),
    "me_certificate_line": N_("{start} to {end}: {hours} of service"),
    "me_certificate_honour": N_("with {hours} of honour hours"),
    "certificate_valid": N_("valid"),
    "certificate_revoked": N_("revoked, no longer valid"),
    "certificate_changed": N_("a counted record changed after issue"),
    "hours_minutes": N_("{hours} h {minutes} min"),
    "hours_only": N_("{hours} h"),
    "minutes_only": N_("{minutes} min"),
}

TEXT: dict[str, dict[str, str]] = {
    lang: {**SETTINGS[lang], **{name: translate(msgid, lang) for name, msgid in MESSAGES.items()}}
    for lang in LANGS}


def pick(arg: str | None) -> str:
    """``?lang=en`` switches to English; zh-CN otherwise, whatever the browser says."""
    return arg if arg in LANGS else "zh"
