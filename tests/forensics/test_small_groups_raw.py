"""A6 in the raw database: a two-person team that signed can't be counted from a dump."""

from __future__ import annotations

from sqlalchemy import inspect

from tests.support import dump_database
from voicebox.extensions import db
from voicebox.petitions.breakdown import read_cells


def test_a_dump_holds_no_per_signature_group_and_no_small_group_count(
    app, make_petition, make_group, make_user, sign
):
    tiny = make_group("Night security")
    petition = make_petition()
    for _ in range(2):
        sign(petition, make_user(), group_id=tiny.id)
    for _ in range(6):
        sign(petition, make_user())

    dump = dump_database(app)

    for table in inspect(db.engine).get_table_names():
        columns = {column["name"] for column in inspect(db.engine).get_columns(table)}
        if table != "groups":
            assert "group_id" not in columns, f"{table} names a group in plaintext"
    signature_rows = dump["signatures"]
    assert len(signature_rows) == 8
    sealed = {len(row["group_ciphertext"]) for row in signature_rows}
    assert len(sealed) == 1, "a sealed group's length must not tell group from no group"
    # The breakdown exists (sealed), and only the data key opens it.
    assert len(dump["petition_breakdowns"]) == 1
    cells = read_cells(db.session, app.extensions["voicebox.secrets"].data_key, petition.id)
    assert sum(cells.values()) == 2
