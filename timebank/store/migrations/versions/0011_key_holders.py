"""key holders: an API key names the person it is given to

``keys create --holder 王芳``: statements show the holder's name rather than ``key:3``,
and four-eyes tells people apart by it (one person's two keys are one approver). Keys
made before have no holder (empty) and stand for themselves.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("holder", sa.String(100), nullable=False,
                                   server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("holder")
