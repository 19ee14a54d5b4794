"""petitions carry a random page version, replaced whenever a figure their page shows changes

Revision ID: 0070
Revises: 0060
Create Date: 2026-12-03 03:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0070'
down_revision = '0060'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, not a batch copy: recreating `petitions` would rewrite its rows.
    op.add_column(
        'petitions', sa.Column('page_version', sa.String(length=16), nullable=False, server_default='')
    )


def downgrade():
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.drop_column('page_version')
