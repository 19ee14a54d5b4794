"""Pure concern rules: status moves, listing query cleaning, receipt hashing."""

from __future__ import annotations

from voicebox.anonymity import new_receipt_phrase
from voicebox.concerns.listing import ListingQuery, clean_query
from voicebox.concerns.moderation import next_statuses
from voicebox.concerns.service import receipt_hash

PEPPER = b"p" * 32


def test_status_moves_only_forward_and_closed_is_final():
    assert next_statuses("open") == ["acknowledged", "in progress", "resolved", "declined"]
    assert next_statuses("in progress") == ["resolved", "declined"]
    assert next_statuses("resolved") == []
    assert next_statuses("declined") == []
    assert next_statuses("bogus") == []


def test_clean_query_falls_back_on_anything_odd():
    assert clean_query("", "", "", "", "") == ListingQuery()
    assert clean_query("newest", "3", "in progress", "  a   b ", "2") == ListingQuery(
        "newest", 3, "in progress", "a b", 2
    )
    odd = clean_query("drop", "-1", "evil", "x" * 500, "0")
    assert odd.sort == "supported" and odd.category_id is None and odd.status is None
    assert len(odd.search) == 100 and odd.page == 1
    assert clean_query("", "9" * 40, "", "", "9" * 40).category_id is None


def test_receipt_hash_ignores_case_spacing_and_dashes_but_not_words():
    phrase = new_receipt_phrase()
    typed = "  " + phrase.upper().replace(" ", "-") + " "
    assert receipt_hash(PEPPER, typed) == receipt_hash(PEPPER, phrase)
    assert receipt_hash(PEPPER, phrase) != receipt_hash(b"q" * 32, phrase)
    assert receipt_hash(PEPPER, phrase + " extra") != receipt_hash(PEPPER, phrase)
    assert phrase not in receipt_hash(PEPPER, phrase)
