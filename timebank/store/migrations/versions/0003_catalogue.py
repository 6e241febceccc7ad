"""the gift catalogue: gifts, stock movements, redemptions, service days

Also an index on entries (community, occurred_at) for windowed tiers and FIFO expiry.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gifts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('community_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('cost', sa.BigInteger(), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('stock', sa.BigInteger(), nullable=False),
    sa.Column('active_from', sa.Date(), nullable=True),
    sa.Column('active_until', sa.Date(), nullable=True),
    sa.Column('min_tier', sa.String(length=64), nullable=True),
    sa.Column('limit_per_member', sa.Integer(), nullable=True),
    sa.Column('limit_period', sa.String(length=16), nullable=False),
    sa.Column('price_rules', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('stock >= 0', name=op.f('ck_gifts_stock_not_negative')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_gifts_community_id_communities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gifts')),
    sa.UniqueConstraint('community_id', 'code', name=op.f('uq_gifts_community_id_code'))
    )
    op.create_table('service_days',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('community_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('open_mark', sa.BigInteger(), nullable=False),
    sa.Column('close_mark', sa.BigInteger(), nullable=True),
    sa.Column('opening_stock', sa.JSON(), nullable=False),
    sa.Column('closing_stock', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_service_days_community_id_communities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_days')),
    sa.UniqueConstraint('community_id', 'code', name=op.f('uq_service_days_community_id_code'))
    )
    op.create_table('redemptions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('community_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('service_day_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('balance_after', sa.BigInteger(), nullable=False),
    sa.Column('hold_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('return_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_redemptions_community_id_communities')),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_redemptions_entry_id_entries')),
    sa.ForeignKeyConstraint(['hold_id'], ['holds.id'], name=op.f('fk_redemptions_hold_id_holds')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_redemptions_member_id_members')),
    sa.ForeignKeyConstraint(['return_entry_id'], ['entries.id'], name=op.f('fk_redemptions_return_entry_id_entries')),
    sa.ForeignKeyConstraint(['service_day_id'], ['service_days.id'], name=op.f('fk_redemptions_service_day_id_service_days')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redemptions'))
    )
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redemptions_community_id_status_created_at'), ['community_id', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_redemptions_member_id_created_at'), ['member_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_redemptions_service_day_id'), ['service_day_id'], unique=False)

    op.create_table('redemption_items',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('redemption_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('gift_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['gift_id'], ['gifts.id'], name=op.f('fk_redemption_items_gift_id_gifts')),
    sa.ForeignKeyConstraint(['redemption_id'], ['redemptions.id'], name=op.f('fk_redemption_items_redemption_id_redemptions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redemption_items'))
    )
    with op.batch_alter_table('redemption_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_redemption_items_gift_id_redemption_id'), ['gift_id', 'redemption_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_redemption_items_redemption_id'), ['redemption_id'], unique=False)

    op.create_table('stock_movements',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('gift_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('stock_after', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('redemption_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['gift_id'], ['gifts.id'], name=op.f('fk_stock_movements_gift_id_gifts')),
    sa.ForeignKeyConstraint(['redemption_id'], ['redemptions.id'], name=op.f('fk_stock_movements_redemption_id_redemptions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_movements'))
    )
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_movements_gift_id_id'), ['gift_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_redemption_id'), ['redemption_id'], unique=False)

    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.create_index('ix_entries_community_id_occurred_at', ['community_id', 'occurred_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_index('ix_entries_community_id_occurred_at')

    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_movements_redemption_id'))
        batch_op.drop_index(batch_op.f('ix_stock_movements_gift_id_id'))

    op.drop_table('stock_movements')
    with op.batch_alter_table('redemption_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redemption_items_redemption_id'))
        batch_op.drop_index(batch_op.f('ix_redemption_items_gift_id_redemption_id'))

    op.drop_table('redemption_items')
    with op.batch_alter_table('redemptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_redemptions_service_day_id'))
        batch_op.drop_index(batch_op.f('ix_redemptions_member_id_created_at'))
        batch_op.drop_index(batch_op.f('ix_redemptions_community_id_status_created_at'))

    op.drop_table('redemptions')
    op.drop_table('service_days')
    op.drop_table('gifts')
