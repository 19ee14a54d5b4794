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
    # Earlier releases know no "rejected" status; such a draft is simply closed there.
    op.execute("UPDATE petitions SET status = 'closed' WHERE status = 'rejected'")
    # A plain DROP COLUMN (SQLite 3.35+), not a batch copy: recreating `petitions` would
    # cascade-delete every signature through their ON DELETE CASCADE foreign keys.
    op.drop_column('petitions', 'rejected_reason')
