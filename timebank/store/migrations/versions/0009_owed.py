"""owed: a member account may go below zero, only through the reversal of an award

The check ``member_not_negative`` (posted >= held) is replaced by ``member_held_not_negative``
(held >= 0): a faked award that was already spent can still be taken back, and the member
then owes the difference. Spending stays guarded by the posting path (posted - held >= n).

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD = "system IS NOT NULL OR (held >= 0 AND posted >= held)"
NEW = "system IS NOT NULL OR held >= 0"


def upgrade() -> None:
    # SQLite cannot alter a constraint: batch mode copies the table (render_as_batch).
    with op.batch_alter_table("accounts") as batch:
        batch.drop_constraint(op.f("ck_accounts_member_not_negative"), type_="check")
        batch.create_check_constraint(op.f("ck_accounts_member_held_not_negative"), NEW)


def downgrade() -> None:
    # Fails while any member still owes points: settle them before going back.
    with op.batch_alter_table("accounts") as batch:
        batch.drop_constraint(op.f("ck_accounts_member_held_not_negative"), type_="check")
        batch.create_check_constraint(op.f("ck_accounts_member_not_negative"), OLD)
