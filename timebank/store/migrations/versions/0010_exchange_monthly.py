"""exchange_monthly: running totals of the exchange per member and month

Minutes given (as a volunteer), minutes received (as the requester) and requests served,
per member and local month, kept as requests are paid, for the monthly report and the
poster. Filled here from the requests already done: each paid request counts in the
month it was resolved, in the community's zone, the minutes shared among its volunteers
as the payment shared them (the first claims take the odd minutes).

Revision ID: 0010
Revises: 0009
"""

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_monthly",
        sa.Column("community_id", BigId, nullable=False),
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("given", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("served", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"],
                                name=op.f("fk_exchange_monthly_community_id_communities")),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"],
                                name=op.f("fk_exchange_monthly_member_id_members")),
        sa.PrimaryKeyConstraint("community_id", "member_id", "month",
                                name=op.f("pk_exchange_monthly")),
    )
    op.create_index(op.f("ix_exchange_monthly_community_id_month"), "exchange_monthly",
                    ["community_id", "month"])
    _fill()


def _fill() -> None:
    conn = op.get_bind()
    zones = {cid: ZoneInfo(tz) for cid, tz in conn.execute(
        sa.text("SELECT id, timezone FROM communities"))}
    done = conn.execute(sa.text(
        "SELECT id, community_id, member_id, minutes_paid, resolved_at FROM exchange_requests"
        " WHERE status = 'done' AND minutes_paid > 0 AND resolved_at IS NOT NULL")).all()
    if not done:
        return
    claims: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for request_id, member_id, home in conn.execute(sa.text(
            "SELECT c.request_id, c.member_id, m.community_id FROM exchange_claims c"
            " JOIN members m ON m.id = c.member_id WHERE c.status = 'active'"
            " ORDER BY c.request_id, c.id")):
        claims[request_id].append((member_id, home))
    totals: dict[tuple[int, int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for request_id, community_id, requester, minutes, resolved in done:
        if isinstance(resolved, str):  # SQLite's text
            resolved = datetime.fromisoformat(resolved)
        month = (resolved.replace(tzinfo=ZoneInfo("UTC")).astimezone(zones[community_id])
                 .strftime("%Y-%m"))
        volunteers = claims.get(request_id, [])
        if volunteers:
            base, rest = divmod(minutes, len(volunteers))
            for index, (member_id, home) in enumerate(volunteers):
                share = base + (1 if index < rest else 0)
                if share and home == community_id:
                    slot = totals[(community_id, member_id, month)]
                    slot[0] += share
                    slot[2] += 1
        totals[(community_id, requester, month)][1] += minutes
    conn.execute(sa.text(
        "INSERT INTO exchange_monthly (community_id, member_id, month, given, received,"
        " served) VALUES (:c, :m, :mo, :g, :r, :s)"),
        [{"c": c, "m": m, "mo": mo, "g": g, "r": r, "s": s}
         for (c, m, mo), (g, r, s) in totals.items()])


def downgrade() -> None:
    op.drop_index(op.f("ix_exchange_monthly_community_id_month"), table_name="exchange_monthly")
    op.drop_table("exchange_monthly")
