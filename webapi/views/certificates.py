"""Service certificates (志愿服务记录证明), honour hours, the public check and the anchor.

``GET /public/certificates/{number}`` needs no key: the number itself names the community
(``<community>-<year>-<seq>``), an unknown number of any community is the same 404, and
each client address is held to a token bucket (429 ``rate_limited``).
"""

from __future__ import annotations

from typing import Any

import attrs
from flask import current_app, request

from timebank.domain.certificates import parse_number, unknown
from timebank.errors import RateLimited
from timebank.i18n import T
from timebank.reports.certificate import render_html
from webapi.api import bank, state
from webapi.auth import allow, community, identity
from webapi.ratelimit import TokenBucket
from webapi.schemas.certificates import (
    AnchorOut,
    CertificateIn,
    CertificateOut,
    CertificateQuery,
    HonourIn,
    HonourList,
    HonourOut,
    HonourQuery,
    MemberCertificateList,
    PublicCertificateOut,
)
from webapi.schemas.common import ID, OptionalIdempotencyHeader, Reason
from webapi.views.base import blueprint
from webapi.views.paging import page

bp = blueprint("certificates", "Service certificates, honour hours, public checks, anchors.")
HTML = "text/html; charset=utf-8"


def absolute(path: str) -> str:
    """The public link of ``path`` (under the API prefix): ``TIMEBANK_PUBLIC_URL`` when
    the host sets it (the address residents can reach), else this request's host."""
    base = current_app.config.get("TIMEBANK_PUBLIC_URL") or request.host_url
    return str(base).rstrip("/") + state().settings.url_prefix + path


def _out(cert: Any) -> dict[str, Any]:
    data = {f.name: getattr(cert, f.name) for f in attrs.fields(type(cert))}
    data["period"] = {"from": cert.period_from.isoformat(), "to": cert.period_to.isoformat()}
    if hasattr(cert, "verify_path"):
        data["verify_url"] = absolute(cert.verify_path)
    return data


def _own(number: str) -> str:
    """A number of another community is unknown to this caller, as any unknown one."""
    if parse_number(number)[0] != community():
        raise unknown(number)
    return number


@bp.route("/certificates", methods=["POST"])
@allow("admin", "clerk")
@bp.arguments(OptionalIdempotencyHeader, location="headers")
@bp.arguments(CertificateIn)
@bp.response(201, CertificateOut)
def issue(headers: dict[str, str], body: dict[str, Any]) -> Any:
    """Issue a certificate of a member's volunteer service hours in a period."""
    return _out(bank().certificates.issue(
        community(), body["member"], body["from_"], body["to"], purpose=body["purpose"],
        actor=identity().actor, key=headers.get("key")))


@bp.route("/certificates/<number>", methods=["GET"])
@allow("admin", "clerk")
@bp.arguments(CertificateQuery, location="query")
@bp.response(200, CertificateOut)
@bp.alt_response(200, schema={"type": "string"}, content_type=HTML, success=True,
                 description="format=html: a printable A4 page with a QR code")
def show(query: dict[str, Any], number: str) -> Any:
    """A certificate: JSON, or with `format=html` a printable A4 page (`lang=zh|en`)."""
    cert = bank().certificates.show(_own(number))
    if query["format"] == "html":
        page = render_html(cert, absolute(cert.verify_path), query["lang"])
        return current_app.response_class(page, content_type=HTML)
    return _out(cert)


@bp.route("/certificates/<number>/revoke", methods=["POST"])
@allow("admin")
@bp.arguments(OptionalIdempotencyHeader, location="headers")
@bp.arguments(Reason)
@bp.response(200, CertificateOut)
def revoke(headers: dict[str, str], body: dict[str, Any], number: str) -> Any:
    """Revoke a certificate (never edited: a corrected one is a new number)."""
    return _out(bank().certificates.revoke(_own(number), reason=body["reason"],
                                           actor=identity().actor, key=headers.get("key")))


@bp.route("/public/certificates/<number>", methods=["GET"])
@bp.doc(operationId="public_certificate")
@bp.response(200, PublicCertificateOut)
def public_check(number: str) -> Any:
    """Anyone may check a certificate by its number (no key): status, masked name,
    hours, period and issuer only."""
    limiter = current_app.extensions.setdefault("timebank_public_limiter", TokenBucket(
        current_app.config.get("TIMEBANK_PUBLIC_RATE", 30),
        current_app.config.get("TIMEBANK_PUBLIC_BURST", 20)))
    wait = limiter.take(request.remote_addr or "-")
    if wait:
        raise RateLimited(T("too many certificate checks from this address; try again in "
                            "{seconds} s", seconds=int(wait) + 1), retry_after=int(wait) + 1)
    return _out(bank().certificates.public(number))


@bp.route("/honours", methods=["POST"])
@allow("admin", "clerk")
@bp.arguments(OptionalIdempotencyHeader, location="headers")
@bp.arguments(HonourIn)
@bp.response(201, HonourOut)
def propose_honour(headers: dict[str, str], body: dict[str, Any]) -> Any:
    """Propose honour hours for an activity's participants (a second person approves)."""
    return bank().certificates.propose_honour(community(), actor=identity().actor,
                                              key=headers.get("key"), **body)


@bp.route("/honours", methods=["GET"])
@allow("admin", "clerk")
@bp.arguments(HonourQuery, location="query")
@bp.response(200, HonourList)
def list_honours(query: dict[str, Any]) -> Any:
    """Honour hours by id, filtered by status, participant, rule and activity days
    (`from`, `to`); pass `next` as `after` for the next page."""
    return page(bank().certificates.honours(community(), **query), query["limit"], "id")


@bp.route(f"/honours/<{ID}:honour_id>/approve", methods=["POST"])
@allow("admin", "clerk")
@bp.arguments(OptionalIdempotencyHeader, location="headers")
@bp.response(200, HonourOut)
def approve_honour(headers: dict[str, str], honour_id: int) -> Any:
    """Approve proposed honour hours (not by the one who proposed them)."""
    return bank().certificates.approve_honour(community(), honour_id,
                                              approver=identity().actor,
                                              key=headers.get("key"))


@bp.route("/audit/anchor", methods=["GET"])
@allow("admin", "clerk")
@bp.response(200, AnchorOut)
def anchor() -> Any:
    """The community's chain head now: keep it elsewhere, `timebank verify --anchor`."""
    return bank().certificates.anchor(community())[0]


@bp.route("/members/<code>/certificates", methods=["GET"])
@allow("admin", "clerk", "member", own="code")
@bp.response(200, MemberCertificateList)
def member_certificates(code: str) -> Any:
    """The member's certificates, newest first: number, period, hours and the status the
    public check answers (valid, revoked, changed)."""
    return {"member": code,
            "items": [_out(c) for c in bank().certificates.of_member(community(), code)]}
