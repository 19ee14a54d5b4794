"""hidden signature comments (moderation with a public reason); comments quoted in reports

Revision ID: 0020
Revises: 0010
Create Date: 2026-12-02 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'hidden_signature_comments',
        sa.Column('signature_id', sa.String(length=32), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('hidden_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ['signature_id'], ['signatures.id'],
            name=op.f('fk_hidden_signature_comments_signature_id_signatures'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('signature_id', name=op.f('pk_hidden_signature_comments')),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment_ids', sa.Text(), nullable=False, server_default='[]'))


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('comment_ids')
    op.drop_table('hidden_signature_comments')
