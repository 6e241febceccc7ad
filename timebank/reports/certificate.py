"""The certificate as a printable A4 page (志愿服务记录证明), zh-CN by default or English,
with a QR code of the public verification link so anyone holding the paper can check it.

The QR code is drawn by ``segno`` as inline SVG: no image files, no network.
"""

from __future__ import annotations

import jinja2
import segno
from markupsafe import Markup

from timebank.domain.certificates import Certificate
from timebank.errors import ValidationError
from timebank.i18n import N_, T, translate

# The certificate's words, in the catalogue by the names the page uses; the English text
# is the message id.
MESSAGES = {
    "title": N_("Certificate of Volunteer Service"), "number": N_("Number"),
    "name": N_("Name"), "member": N_("Volunteer number"), "period": N_("Period"),
    "service": N_("Volunteer service"), "honour": N_("Honour hours"),
    "hours": N_("{h} hours"), "date": N_("Date"), "rule": N_("Service"),
    "minutes": N_("Minutes"), "recorded_by": N_("Recorded by"),
    "approved_by": N_("Approved by"), "reason": N_("Reason"), "issuer": N_("Issued by"),
    "person_in_charge": N_("Person in charge"), "handler": N_("Handler"),
    "contact": N_("Contact"), "issued_on": N_("Issued on"), "purpose": N_("Purpose"),
    "digest": N_("Records digest (SHA-256)"),
    "verify": N_("Scan or visit this address to verify this certificate:"),
    "revoked": N_("This certificate has been revoked"),
    "activities": N_("Service records"), "honours": N_("Honour-hour records"),
    "statement": N_("We certify that the volunteer service above is as recorded by us. "
                    "Service time is actual service, travel excluded; honour hours are "
                    "listed separately."),
}
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def labels(lang: str) -> dict[str, str]:
    """The certificate's words in ``lang`` (``hours`` keeps its ``{h}`` to fill)."""
    return {"html_lang": HTML_LANG[lang],
            **{name: translate(msgid, lang) for name, msgid in MESSAGES.items()}}


_PAGE = jinja2.Environment(autoescape=True).from_string("""<!doctype html>
<html lang="{{ t.html_lang }}"><head><meta charset="utf-8">
<title>{{ t.title }} {{ c.number }}</title>
<style>
@page { size: A4; margin: 18mm; }
body { font-family: "Noto Serif CJK SC", "Songti SC", serif; max-width: 174mm; margin: auto; }
h1 { text-align: center; letter-spacing: .3em; } table { border-collapse: collapse; width: 100%; }
td, th { border: 1px solid #444; padding: 3px 6px; font-size: 10.5pt; }
.facts th { width: 28%; text-align: left; background: #f4f4f4; }
.foot { display: flex; justify-content: space-between; align-items: flex-end; margin-top: 8mm; }
.revoked { color: #b00; font-size: 18pt; text-align: center; border: 3px solid #b00; }
.digest { font-family: monospace; font-size: 8pt; word-break: break-all; }
</style></head><body>
<h1>{{ t.title }}</h1>
{% if c.status == "revoked" %}<p class="revoked">{{ t.revoked }}</p>{% endif %}
<table class="facts">
<tr><th>{{ t.number }}</th><td>{{ c.number }}</td></tr>
<tr><th>{{ t.name }}</th><td>{{ c.name }}</td></tr>
<tr><th>{{ t.member }}</th><td>{{ c.member }}</td></tr>
<tr><th>{{ t.period }}</th><td>{{ c.period_from }} — {{ c.period_to }}</td></tr>
<tr><th>{{ t.service }}</th><td>{{ t.hours.format(h=hours(c.service_minutes)) }}</td></tr>
<tr><th>{{ t.honour }}</th><td>{{ t.hours.format(h=hours(c.honour_minutes)) }}</td></tr>
{% if c.purpose %}<tr><th>{{ t.purpose }}</th><td>{{ c.purpose }}</td></tr>{% endif %}
</table>
<h3>{{ t.activities }}</h3>
<table><tr><th>{{ t.date }}</th><th>{{ t.rule }}</th><th>{{ t.minutes }}</th>
<th>{{ t.recorded_by }}</th><th>{{ t.approved_by }}</th></tr>
{% for a in c.activities %}<tr><td>{{ a.day }}</td><td>{{ a.rule_name }}</td>
<td>{{ a.minutes }}</td><td>{{ a.recorded_by }}</td><td>{{ a.approved_by or "" }}</td></tr>
{% endfor %}</table>
{% if c.honours %}<h3>{{ t.honours }}</h3>
<table><tr><th>{{ t.date }}</th><th>{{ t.reason }}</th><th>{{ t.minutes }}</th>
<th>{{ t.recorded_by }}</th><th>{{ t.approved_by }}</th></tr>
{% for a in c.honours %}<tr><td>{{ a.day }}</td><td>{{ a.rule_name }}</td>
<td>{{ a.minutes }}</td><td>{{ a.recorded_by }}</td><td>{{ a.approved_by or "" }}</td></tr>
{% endfor %}</table>{% endif %}
<p>{{ t.statement }}</p>
<div class="foot"><div>
<p>{{ t.issuer }}: {{ c.issuer.name }}</p>
<p>{{ t.person_in_charge }}: {{ c.issuer.person_in_charge }}
 &nbsp; {{ t.handler }}: {{ c.issuer.handler }}</p>
<p>{{ t.contact }}: {{ c.issuer.contact }}</p>
<p>{{ t.issued_on }}: {{ c.issued_on }}</p>
</div><div style="text-align:center">{{ qr }}<br>
<small>{{ t.verify }}<br>{{ url }}</small></div></div>
<p class="digest">{{ t.digest }}: {{ c.digest }}</p>
</body></html>
""")


def render_html(cert: Certificate, verify_url: str, lang: str = "zh") -> str:
    """The printable page; ``verify_url`` is the absolute public check link."""
    if lang not in HTML_LANG:
        raise ValidationError(T("lang is zh or en"), field="lang")
    qr = segno.make(verify_url, error="m").svg_inline(scale=3)
    return _PAGE.render(t=labels(lang), c=cert, url=verify_url, qr=Markup(qr),
                        hours=_hours)


def _hours(minutes: int) -> str:
    """Minutes as hours with at most two decimals: 150 → 2.5."""
    whole, rest = divmod(minutes, 60)
    return str(whole) if not rest else f"{minutes / 60:.2f}".rstrip("0")
