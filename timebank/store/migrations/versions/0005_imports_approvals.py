"""imports remembered, and each contribution linked to the import it came from

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", BigId, nullable=False),
        sa.Column("community_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("file", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("committed", sa.Boolean(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("added", sa.BigInteger(), nullable=False),
        sa.Column("unchanged", sa.BigInteger(), nullable=False),
        sa.Column("rejected", sa.BigInteger(), nullable=False),
        sa.Column("pending", sa.BigInteger(), nullable=False),
        sa.Column("flagged", sa.BigInteger(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"],
                                name=op.f("fk_imports_community_id_communities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_index(op.f("ix_imports_community_id_id"), "imports", ["community_id", "id"],
                    unique=False)
    # Nullable, no default: adding it rewrites no row on either engine.
    op.add_column("contributions", sa.Column("import_id", BigId, nullable=True))
    op.create_index(op.f("ix_contributions_import_id_status"), "contributions",
                    ["import_id", "status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_contributions_import_id_status"), table_name="contributions")
    with op.batch_alter_table("contributions") as batch:
        batch.drop_column("import_id")
    op.drop_index(op.f("ix_imports_community_id_id"), table_name="imports")
    op.drop_table("imports")
