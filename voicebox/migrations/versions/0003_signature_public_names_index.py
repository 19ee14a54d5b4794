"""index the public names on signatures

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index(
            'ix_signatures_public_names', ['petition_id', 'display_name'], unique=False,
            sqlite_where=sa.text('display_name IS NOT NULL'),
            postgresql_where=sa.text('display_name IS NOT NULL'),
        )


def downgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index('ix_signatures_public_names')
