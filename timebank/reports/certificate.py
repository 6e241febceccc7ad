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
from timebank.i18n import T

LABELS = {
    "zh": {"html_lang": "zh-CN", "title": "志愿服务记录证明", "number": "证明编号",
           "name": "姓名", "member": "志愿者编号", "period": "服务期间",
           "service": "志愿服务时长", "honour": "荣誉时长", "hours": "{h} 小时",
           "date": "日期", "rule": "服务内容", "minutes": "时长(分钟)",
           "recorded_by": "记录人", "approved_by": "审核人", "reason": "事由",
           "issuer": "出具单位", "person_in_charge": "负责人", "handler": "经办人",
           "contact": "联系方式", "issued_on": "出具日期", "purpose": "用途",
           "digest": "记录摘要(SHA-256)", "verify": "扫码或访问以下地址核验本证明:",
           "revoked": "本证明已撤销", "activities": "服务记录", "honours": "荣誉时长记录",
           "statement": "兹证明上述志愿者在本单位记录的志愿服务情况属实。服务时长按实际服务时间"
                        "计算,不含往返交通时间;荣誉时长单独列示。"},
    "en": {"html_lang": "en", "title": "Certificate of Volunteer Service",
           "number": "Number", "name": "Name", "member": "Volunteer number",
           "period": "Period", "service": "Volunteer service", "honour": "Honour hours",
           "hours": "{h} hours", "date": "Date", "rule": "Service", "minutes": "Minutes",
           "recorded_by": "Recorded by", "approved_by": "Approved by", "reason": "Reason",
           "issuer": "Issued by", "person_in_charge": "Person in charge",
           "handler": "Handler", "contact": "Contact", "issued_on": "Issued on",
           "purpose": "Purpose", "digest": "Records digest (SHA-256)",
           "verify": "Scan or visit this address to verify this certificate:",
           "revoked": "This certificate has been revoked", "activities": "Service records",
           "honours": "Honour hours",
           "statement": "We certify that the volunteer service above is as recorded by us. "
                        "Service time is actual service, travel excluded; honour hours are "
                        "listed separately."},
}

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
    if lang not in LABELS:
        raise ValidationError(T("lang is zh or en"), field="lang")
    qr = segno.make(verify_url, error="m").svg_inline(scale=3)
    return _PAGE.render(t=LABELS[lang], c=cert, url=verify_url, qr=Markup(qr),
                        hours=_hours)


def _hours(minutes: int) -> str:
    """Minutes as hours with at most two decimals: 150 → 2.5."""
    whole, rest = divmod(minutes, 60)
    return str(whole) if not rest else f"{minutes / 60:.2f}".rstrip("0")
