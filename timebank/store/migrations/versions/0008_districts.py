"""districts: alliances of communities, cross-community acts, member moves and
settlements (clearing accounts are ``accounts`` rows ``clearing:<partner id>``)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "districts",
        sa.Column("id", BigId, nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_districts")),
        sa.UniqueConstraint("code", name=op.f("uq_districts_code")),
    )
    op.create_table(
        "district_communities",
        sa.Column("district_id", BigId, nullable=False),
        sa.Column("community_id", BigId, nullable=False),
        _fk("district_communities", "district_id", "districts"),
        _fk("district_communities", "community_id", "communities"),
        sa.PrimaryKeyConstraint("district_id", "community_id",
                                name=op.f("pk_district_communities")),
        sa.UniqueConstraint("community_id", name=op.f("uq_district_communities_community_id")),
    )
    op.create_table(
        "cross_acts",
        sa.Column("id", BigId, nullable=False),
        sa.Column("district_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("from_community_id", BigId, nullable=False),
        sa.Column("to_community_id", BigId, nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("from_amount", sa.BigInteger(), nullable=False),
        sa.Column("to_amount", sa.BigInteger(), nullable=False),
        sa.Column("from_entry_id", BigId, nullable=False),
        sa.Column("to_entry_id", BigId, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("cross_acts", "district_id", "districts"),
        _fk("cross_acts", "from_community_id", "communities"),
        _fk("cross_acts", "to_community_id", "communities"),
        _fk("cross_acts", "from_entry_id", "entries"),
        _fk("cross_acts", "to_entry_id", "entries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cross_acts")),
    )
    op.create_index(op.f("ix_cross_acts_district_id_created_at"), "cross_acts",
                    ["district_id", "created_at"], unique=False)
    op.create_table(
        "member_moves",
        sa.Column("id", BigId, nullable=False),
        sa.Column("from_member_id", BigId, nullable=False),
        sa.Column("to_member_id", BigId, nullable=False),
        sa.Column("moved_at", sa.DateTime(), nullable=False),
        _fk("member_moves", "from_member_id", "members"),
        _fk("member_moves", "to_member_id", "members"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_moves")),
        sa.UniqueConstraint("from_member_id", name=op.f("uq_member_moves_from_member_id")),
    )
    op.create_table(
        "district_settlements",
        sa.Column("id", BigId, nullable=False),
        sa.Column("district_id", BigId, nullable=False),
        sa.Column("until", sa.DateTime(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("district_settlements", "district_id", "districts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_settlements")),
        sa.UniqueConstraint("district_id", "until",
                            name=op.f("uq_district_settlements_district_id_until")),
    )


def downgrade() -> None:
    op.drop_table("district_settlements")
    op.drop_table("member_moves")
    op.drop_index(op.f("ix_cross_acts_district_id_created_at"), table_name="cross_acts")
    op.drop_table("cross_acts")
    op.drop_table("district_communities")
    op.drop_table("districts")
