"""exchange: requests and offers between members, their claims and history

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "exchange_offers",
        sa.Column("id", BigId, nullable=False),
        sa.Column("community_id", BigId, nullable=False),
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("availability", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        _fk("exchange_offers", "community_id", "communities"),
        _fk("exchange_offers", "member_id", "members"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_offers")),
    )
    op.create_index(op.f("ix_exchange_offers_community_id_category_status"),
                    "exchange_offers", ["community_id", "category", "status"])
    op.create_index(op.f("ix_exchange_offers_member_id"), "exchange_offers", ["member_id"])
    op.create_table(
        "exchange_requests",
        sa.Column("id", BigId, nullable=False),
        sa.Column("community_id", BigId, nullable=False),
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("minutes", sa.BigInteger(), nullable=False),
        sa.Column("needed_on", sa.Date(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("funded_by", sa.String(length=16), nullable=False),
        sa.Column("payer_account_id", BigId, nullable=False),
        sa.Column("hold_id", BigId, nullable=True),
        sa.Column("max_volunteers", sa.Integer(), nullable=False),
        sa.Column("offer_id", BigId, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("minutes_paid", sa.BigInteger(), nullable=True),
        sa.Column("entry_id", BigId, nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        _fk("exchange_requests", "community_id", "communities"),
        _fk("exchange_requests", "member_id", "members"),
        _fk("exchange_requests", "payer_account_id", "accounts"),
        _fk("exchange_requests", "hold_id", "holds"),
        _fk("exchange_requests", "offer_id", "exchange_offers"),
        _fk("exchange_requests", "entry_id", "entries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_requests")),
    )
    op.create_index(op.f("ix_exchange_requests_community_id_status_needed_on"),
                    "exchange_requests", ["community_id", "status", "needed_on"])
    op.create_index(op.f("ix_exchange_requests_member_id"), "exchange_requests",
                    ["member_id"])
    op.create_table(
        "exchange_claims",
        sa.Column("id", BigId, nullable=False),
        sa.Column("request_id", BigId, nullable=False),
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        _fk("exchange_claims", "request_id", "exchange_requests"),
        _fk("exchange_claims", "member_id", "members"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_claims")),
    )
    op.create_index(op.f("ix_exchange_claims_request_id_status"), "exchange_claims",
                    ["request_id", "status"])
    op.create_index(op.f("ix_exchange_claims_member_id"), "exchange_claims", ["member_id"])
    op.create_table(
        "exchange_events",
        sa.Column("id", BigId, nullable=False),
        sa.Column("request_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("member_id", BigId, nullable=True),
        sa.Column("minutes", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        _fk("exchange_events", "request_id", "exchange_requests"),
        _fk("exchange_events", "member_id", "members"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_events")),
    )
    op.create_index(op.f("ix_exchange_events_request_id_id"), "exchange_events",
                    ["request_id", "id"])


def downgrade() -> None:
    for table in ("exchange_events", "exchange_claims", "exchange_requests",
                  "exchange_offers"):
        op.drop_table(table)
