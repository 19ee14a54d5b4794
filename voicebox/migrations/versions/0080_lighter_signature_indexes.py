"""signatures: two fewer index entries per signature counted

The index on petition_id alone repeats the prefix of the unique (petition_id, nullifier)
one, which serves the same lookups and the ON DELETE CASCADE; the token-hash index only
ever matters where a token signed, so it now covers those rows only. Each signature lands
at a random place in every index it is in: at a million signatures, counting a window of
6,000 wrote 134 MB of pages to the write-ahead log with them and 79 MB without, all of it
while members signing wait for the writer.

Revision ID: 0080
Revises: 0070
Create Date: 2026-12-03 13:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0080'
down_revision = '0070'
branch_labels = None
depends_on = None

TOKEN_SIGNED = sa.text('token_hash IS NOT NULL')


def upgrade():
    # Plain DROP and CREATE INDEX, as in 0050: no batch copy reordering the rows.
    op.drop_index('ix_signatures_petition_id', table_name='signatures')
    op.drop_index('uq_signatures_petition_token_hash', table_name='signatures')
    op.create_index(
        'uq_signatures_petition_token_hash',
        'signatures',
        ['petition_id', 'token_hash'],
        unique=True,
        sqlite_where=TOKEN_SIGNED,
        postgresql_where=TOKEN_SIGNED,
    )


def downgrade():
    op.drop_index('uq_signatures_petition_token_hash', table_name='signatures')
    op.create_index('uq_signatures_petition_token_hash', 'signatures', ['petition_id', 'token_hash'], unique=True)
    op.create_index('ix_signatures_petition_id', 'signatures', ['petition_id'], unique=False)
