"""signatures made with blind-signed tokens: their public hash, and who fetched a token

Revision ID: 0050
Revises: 0040
Create Date: 2026-12-02 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0050'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN and CREATE INDEX, not a batch copy: recreating `signatures` would
    # rewrite every row in a new physical order.
    op.add_column('signatures', sa.Column('token_hash', sa.String(length=64), nullable=True))
    op.create_index('uq_signatures_petition_token_hash', 'signatures', ['petition_id', 'token_hash'], unique=True)
    op.create_table(
        'token_issuances',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('petition_id', sa.String(length=32), nullable=False),
        sa.Column('member_mark', sa.String(length=64), nullable=False),
        sa.Column('blinded_digest', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ['petition_id'], ['petitions.id'],
            name=op.f('fk_token_issuances_petition_id_petitions'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_token_issuances')),
        sa.UniqueConstraint('petition_id', 'member_mark', name='uq_token_issuances_petition_member'),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_token_issuances_petition_id'), 'token_issuances', ['petition_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_token_issuances_petition_id'), table_name='token_issuances')
    op.drop_table('token_issuances')
    op.drop_index('uq_signatures_petition_token_hash', table_name='signatures')
    op.drop_column('signatures', 'token_hash')
