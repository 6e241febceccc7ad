"""Exchange (互助): requests and offers between members."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank.domain.exchange import FUNDERS, OFFER_STATUSES, STATUSES
from timebank.domain.ledger import MAX_AMOUNT
from webapi.schemas.common import Day, UtcDateTime, code_field, positive
from webapi.schemas.common import text as text_field

ROW_ID = validate.Range(1, 2**63 - 1)


class RequestIn(Schema):
    member = code_field(required=True, metadata={"description": "the member served"})
    title = text_field(200, 1, required=True)
    category = code_field(required=True, metadata={"description": "GET /requests/categories"})
    minutes = positive(required=True, metadata={"description": "the estimate, held now"})
    needed_on = Day()
    place = text_field(200)
    funded_by = fields.String(validate=validate.OneOf(FUNDERS), metadata={
        "description": "member (default) or pool: the donation pool, for members tagged "
                       "as in need"})
    max_volunteers = fields.Integer(strict=True, validate=validate.Range(1, 1000),
                                    metadata={"description": "a group job: up to N"})
    offer = fields.Integer(strict=True, validate=ROW_ID,
                           metadata={"description": "the offer this request answers"})


class VolunteerIn(Schema):
    member = code_field(required=True)


class ConfirmIn(Schema):
    minutes = positive(required=True, metadata={"description": "the real minutes"})


class SettleIn(Schema):
    minutes = fields.Integer(strict=True, required=True,
                             validate=validate.Range(0, MAX_AMOUNT))
    reason = text_field(500, 1, required=True)


class ExchangePaging(Schema):
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 10**9),
                            metadata={"description": "the `next` of the previous page"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 1000))


class RequestQuery(ExchangePaging):
    status = fields.String(validate=validate.OneOf(STATUSES))
    category = code_field()
    member = code_field()
    unit = code_field(metadata={"description": "requesters living under this unit"})


class ServiceOfferIn(Schema):
    member = code_field(required=True)
    category = code_field(required=True)
    text = text_field(500, 1, required=True)
    availability = text_field(200)


class ServiceOfferQuery(ExchangePaging):
    category = code_field()
    unit = code_field(metadata={"description": "offerers living under this unit"})
    member = code_field()


class RequestCategoryOut(Schema):
    code = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)


class ServiceOfferOut(Schema):
    id = fields.Integer(required=True)
    member = fields.String(required=True)
    category = fields.String(required=True)
    text = fields.String(required=True)
    availability = fields.String()
    status = fields.String(required=True, metadata={"enum": list(OFFER_STATUSES)})
    unit = fields.String(allow_none=True)
    created_at = UtcDateTime(allow_none=True)


class RequestEventOut(Schema):
    at = UtcDateTime(required=True)
    kind = fields.String(required=True)
    member = fields.String(allow_none=True)
    minutes = fields.Integer(allow_none=True)
    reason = fields.String()
    actor = fields.String()


class RequestOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": list(STATUSES)})
    member = fields.String(required=True)
    title = fields.String(required=True)
    category = fields.String(required=True)
    minutes = fields.Integer(required=True, metadata={"description": "the estimate"})
    minutes_held = fields.Integer(required=True)
    payer = fields.String(required=True, metadata={"description": "a member code or pool"})
    funded_by = fields.String()
    needed_on = Day(allow_none=True)
    place = fields.String()
    max_volunteers = fields.Integer()
    volunteers = fields.List(fields.String(), required=True)
    minutes_paid = fields.Integer(allow_none=True)
    entry_id = fields.Integer(allow_none=True)
    offer = fields.Integer(allow_none=True)
    reason = fields.String()
    created_at = UtcDateTime(allow_none=True)
    matches = fields.List(fields.Nested(ServiceOfferOut))
    history = fields.List(fields.Nested(RequestEventOut))


class SettlementOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    minutes = fields.Integer(required=True, metadata={"description": "the minutes paid"})
    entry_id = fields.Integer(allow_none=True)
    payer = fields.String(required=True)
    shares = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "minutes per volunteer"})
    released = fields.Integer(metadata={"description": "minutes the hold gave back"})


class RequestList(Schema):
    items = fields.List(fields.Nested(RequestOut), required=True)
    next = fields.Integer(allow_none=True)


class ServiceOfferList(Schema):
    items = fields.List(fields.Nested(ServiceOfferOut), required=True)
    next = fields.Integer(allow_none=True)


class MemberRequestList(Schema):
    member = fields.String(required=True)
    items = fields.List(fields.Nested(RequestOut), required=True, metadata={
        "description": "open, claimed or disputed; posted by the member (`member` is the "
                       "member) or claimed by them (the member is among `volunteers`)"})
