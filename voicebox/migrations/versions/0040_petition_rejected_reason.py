"""a rejected draft petition keeps its public reason

Revision ID: 0040
Revises: 0021
Create Date: 2026-12-02 14:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0040'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rejected_reason', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.drop_column('rejected_reason')
