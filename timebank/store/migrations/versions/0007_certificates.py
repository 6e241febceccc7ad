"""certificates: honour hours with their participants, service certificates and the
records each one counts

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "honours",
        sa.Column("id", BigId, nullable=False),
        sa.Column("community_id", BigId, nullable=False),
        sa.Column("activity_date", sa.Date(), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("minutes", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_by", sa.String(length=200), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        _fk("honours", "community_id", "communities"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_honours")),
    )
    op.create_index(op.f("ix_honours_community_id_activity_date"), "honours",
                    ["community_id", "activity_date"], unique=False)
    op.create_table(
        "honour_members",
        sa.Column("honour_id", BigId, nullable=False),
        sa.Column("member_id", BigId, nullable=False),
        _fk("honour_members", "honour_id", "honours"),
        _fk("honour_members", "member_id", "members"),
        sa.PrimaryKeyConstraint("honour_id", "member_id", name=op.f("pk_honour_members")),
    )
    op.create_index(op.f("ix_honour_members_member_id"), "honour_members", ["member_id"],
                    unique=False)
    op.create_table(
        "certificates",
        sa.Column("id", BigId, nullable=False),
        sa.Column("community_id", BigId, nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("service_minutes", sa.BigInteger(), nullable=False),
        sa.Column("honour_minutes", sa.BigInteger(), nullable=False),
        sa.Column("issuer", sa.JSON(), nullable=False),
        sa.Column("activities", sa.JSON(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_by", sa.String(length=200), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revoked_by", sa.String(length=200), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=500), nullable=True),
        _fk("certificates", "community_id", "communities"),
        _fk("certificates", "member_id", "members"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("community_id", "number",
                            name=op.f("uq_certificates_community_id_number")),
        sa.UniqueConstraint("community_id", "year", "seq",
                            name=op.f("uq_certificates_community_id_year_seq")),
    )
    op.create_table(
        "certificate_items",
        sa.Column("certificate_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.BigInteger(), nullable=False),
        sa.Column("minutes", sa.BigInteger(), nullable=False),
        _fk("certificate_items", "certificate_id", "certificates"),
        sa.PrimaryKeyConstraint("certificate_id", "kind", "ref_id",
                                name=op.f("pk_certificate_items")),
    )


def downgrade() -> None:
    op.drop_table("certificate_items")
    op.drop_table("certificates")
    op.drop_index(op.f("ix_honour_members_member_id"), table_name="honour_members")
    op.drop_table("honour_members")
    op.drop_index(op.f("ix_honours_community_id_activity_date"), table_name="honours")
    op.drop_table("honours")
