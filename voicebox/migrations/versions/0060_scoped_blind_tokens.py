""""me too"s and co-sponsorships made with blind-signed tokens, and who fetched those tokens

Revision ID: 0060
Revises: 0050
Create Date: 2026-12-03 03:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0060'
down_revision = '0050'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN and CREATE INDEX, as in 0050: no batch copy reordering the rows.
    op.add_column('concern_supports', sa.Column('token_hash', sa.String(length=64), nullable=True))
    op.create_index(
        'uq_concern_supports_concern_token_hash', 'concern_supports', ['concern_id', 'token_hash'], unique=True
    )
    op.add_column('cosponsorships', sa.Column('token_hash', sa.String(length=64), nullable=True))
    op.create_index(
        'uq_cosponsorships_petition_token_hash', 'cosponsorships', ['petition_id', 'token_hash'], unique=True
    )
    op.create_table(
        'item_token_issuances',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('item_id', sa.String(length=32), nullable=False),
        sa.Column('member_mark', sa.String(length=64), nullable=False),
        sa.Column('blinded_digest', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_item_token_issuances')),
        sa.UniqueConstraint(
            'scope', 'item_id', 'member_mark', name='uq_item_token_issuances_scope_item_member'
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_item_token_issuances_item_id'), 'item_token_issuances', ['item_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_item_token_issuances_item_id'), table_name='item_token_issuances')
    op.drop_table('item_token_issuances')
    op.drop_index('uq_cosponsorships_petition_token_hash', table_name='cosponsorships')
    op.drop_column('cosponsorships', 'token_hash')
    op.drop_index('uq_concern_supports_concern_token_hash', table_name='concern_supports')
    op.drop_column('concern_supports', 'token_hash')
