"""item keys leave the database; counting windows; sealed group breakdowns; users without rowid

Revision ID: 0010
Revises: 0003
Create Date: 2026-12-02 15:30:00

Item keys move from the `wrapped_key` columns into the key store (instance/keys/), the
per-signature group and the group-by-day tallies become ciphertext, and queued actions get
their tables. Old bytes of the dropped columns can survive in free pages, the WAL or
pg_wal of a database that ran an older version; the README says what that means and how
to start afresh.
"""
import json
from datetime import date
from collections import defaultdict

import sqlalchemy as sa
from alembic import op
from flask import current_app

from voicebox.crypto import encrypt_text, decrypt_text, unwrap_key, wrap_key

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0003'
branch_labels = None
depends_on = None

NO_ROWID = {'sqlite_with_rowid': False}
GROUP_WIDTH = 12
BLOB_BUCKET = 2048


def _secrets_and_keys():
    return current_app.extensions["voicebox.secrets"], current_app.extensions["voicebox.keys"]


def _seal_group(data_key, signature_id, group_id):
    plain = ("" if group_id is None else str(group_id)).ljust(GROUP_WIDTH)
    return encrypt_text(data_key, plain, f"signature-group:{signature_id}")


def _seal_cells(data_key, petition_id, cells):
    nested = {}
    for (group_id, day), count in sorted(cells.items()):
        if count:
            nested.setdefault(str(group_id), {})[str(day)] = count
    body = json.dumps(nested, separators=(",", ":"))
    padded = -(-(len(body) + 1) // BLOB_BUCKET) * BLOB_BUCKET
    return encrypt_text(data_key, body.ljust(padded), f"breakdown:{petition_id}")


def _move_keys_out(bind, secrets, keys, table, kind):
    rows = bind.execute(sa.text(f"SELECT id, wrapped_key FROM {table} WHERE wrapped_key IS NOT NULL")).all()
    for item_id, wrapped in rows:
        key = unwrap_key(secrets.master_key, bytes(wrapped), f"{kind}:{item_id}")
        if not keys.exists(kind, item_id):
            keys.put(kind, item_id, key)


def upgrade():
    op.create_table(
        'counting_windows',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('serial', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_counting_windows')),
        sa.UniqueConstraint('serial', name=op.f('uq_counting_windows_serial')),
        **NO_ROWID,
    )
    op.create_table(
        'pending_actions',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('window_id', sa.String(length=32), nullable=False),
        sa.Column('tag', sa.String(length=64), nullable=False),
        sa.Column('sealed', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_actions')),
        sa.UniqueConstraint('tag', name=op.f('uq_pending_actions_tag')),
        **NO_ROWID,
    )
    op.create_index(op.f('ix_pending_actions_window_id'), 'pending_actions', ['window_id'], unique=False)
    op.create_table(
        'petition_breakdowns',
        sa.Column('petition_id', sa.String(length=32), nullable=False),
        sa.Column('sealed', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ['petition_id'], ['petitions.id'],
            name=op.f('fk_petition_breakdowns_petition_id_petitions'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('petition_id', name=op.f('pk_petition_breakdowns')),
        **NO_ROWID,
    )
    with op.batch_alter_table('signatures', schema=None, table_kwargs=NO_ROWID) as batch_op:
        batch_op.add_column(sa.Column('group_ciphertext', sa.LargeBinary(), nullable=True))

    bind = op.get_bind()
    secrets, keys = _secrets_and_keys()
    _move_keys_out(bind, secrets, keys, 'petitions', 'petition')
    _move_keys_out(bind, secrets, keys, 'concerns', 'concern')
    signatures = sa.table('signatures', sa.column('id'), sa.column('group_ciphertext'))
    for signature_id, group_id in bind.execute(sa.text("SELECT id, group_id FROM signatures")).all():
        bind.execute(
            signatures.update().where(signatures.c.id == signature_id)
            .values(group_ciphertext=_seal_group(secrets.data_key, signature_id, group_id))
        )
    cells = defaultdict(dict)
    tallies = bind.execute(
        sa.text("SELECT petition_id, group_id, day, signatures FROM petition_group_day_tallies")
    ).all()
    for petition_id, group_id, day, count in tallies:
        cells[petition_id][(group_id, day)] = count
    breakdowns = sa.table('petition_breakdowns', sa.column('petition_id'), sa.column('sealed'))
    for petition_id, petition_cells in cells.items():
        bind.execute(breakdowns.insert().values(
            petition_id=petition_id, sealed=_seal_cells(secrets.data_key, petition_id, petition_cells)
        ))

    with op.batch_alter_table('signatures', schema=None, table_kwargs=NO_ROWID) as batch_op:
        batch_op.drop_constraint('fk_signatures_group_id_groups', type_='foreignkey')
        batch_op.drop_column('group_id')
    op.drop_table('petition_group_day_tallies')
    with op.batch_alter_table('petitions', schema=None, table_kwargs=NO_ROWID) as batch_op:
        batch_op.drop_column('wrapped_key')
    with op.batch_alter_table('concerns', schema=None, table_kwargs=NO_ROWID) as batch_op:
        batch_op.drop_column('wrapped_key')
    if bind.dialect.name == 'sqlite':
        # Rebuilt without a rowid: a rowid is the order accounts joined in.
        with op.batch_alter_table('users', schema=None, recreate='always', table_kwargs=NO_ROWID):
            pass


def downgrade():
    bind = op.get_bind()
    secrets, keys = _secrets_and_keys()
    if bind.dialect.name == 'sqlite':
        with op.batch_alter_table('users', schema=None, recreate='always'):
            pass
    with op.batch_alter_table('concerns', schema=None, table_kwargs=NO_ROWID) as batch_op:
        batch_op.add_column(sa.Column('wrapped_key', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('petitions', schema=None, table_kwargs=NO_ROWID) as batch_op:
        batch_op.add_column(sa.Column('wrapped_key', sa.LargeBinary(), nullable=True))
    op.create_table(
        'petition_group_day_tallies',
        sa.Column('petition_id', sa.String(length=32), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('signatures', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_petition_group_day_tallies_group_id_groups'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_petition_group_day_tallies_petition_id_petitions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('petition_id', 'group_id', 'day', name=op.f('pk_petition_group_day_tallies')),
        **NO_ROWID,
    )
    with op.batch_alter_table('signatures', schema=None, table_kwargs=NO_ROWID) as batch_op:
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_signatures_group_id_groups', 'groups', ['group_id'], ['id'], ondelete='SET NULL'
        )
    for table, kind in (('petitions', 'petition'), ('concerns', 'concern')):
        items = sa.table(table, sa.column('id'), sa.column('wrapped_key'))
        for item_id in list(keys.item_ids(kind)):
            key = keys.get(kind, item_id)
            if key is not None:
                bind.execute(items.update().where(items.c.id == item_id).values(
                    wrapped_key=wrap_key(secrets.master_key, key, f"{kind}:{item_id}")
                ))
    signatures = sa.table('signatures', sa.column('id'), sa.column('group_id'))
    for signature_id, sealed in bind.execute(sa.text("SELECT id, group_ciphertext FROM signatures")).all():
        plain = decrypt_text(secrets.data_key, bytes(sealed), f"signature-group:{signature_id}").strip() if sealed else ""
        if plain.isdigit():
            bind.execute(signatures.update().where(signatures.c.id == signature_id).values(group_id=int(plain)))
    tallies = sa.table('petition_group_day_tallies', sa.column('petition_id'), sa.column('group_id'),
                       sa.column('day'), sa.column('signatures'))
    for petition_id, sealed in bind.execute(sa.text("SELECT petition_id, sealed FROM petition_breakdowns")).all():
        nested = json.loads(decrypt_text(secrets.data_key, bytes(sealed), f"breakdown:{petition_id}"))
        for group_id, days in nested.items():
            for day, count in days.items():
                bind.execute(tallies.insert().values(
                    petition_id=petition_id, group_id=int(group_id), day=date.fromisoformat(day),
                    signatures=count,
                ))
    with op.batch_alter_table('signatures', schema=None, table_kwargs=NO_ROWID) as batch_op:
        batch_op.drop_column('group_ciphertext')
    op.drop_table('petition_breakdowns')
    op.drop_index(op.f('ix_pending_actions_window_id'), table_name='pending_actions')
    op.drop_table('pending_actions')
    op.drop_table('counting_windows')
