"""The pure anonymity rules: nullifiers, ids, dates, receipts, suppression."""

from __future__ import annotations

import math
import re
import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from voicebox.anonymity import (
    coarse_date,
    new_receipt_phrase,
    normalize_receipt,
    nullifier,
    random_id,
    receipt_wordlist,
    suppress_small_groups,
)
from voicebox.crypto import generate_key


def test_a_nullifier_is_stable_for_one_member_one_item_and_one_purpose():
    key = generate_key()
    assert nullifier(key, "signature", "member-a") == nullifier(key, "signature", "member-a")


def test_nullifiers_differ_across_members_purposes_and_items():
    key, other_key = generate_key(), generate_key()
    values = {
        nullifier(key, "signature", "member-a"),
        nullifier(key, "signature", "member-b"),
        nullifier(key, "cosponsor", "member-a"),
        nullifier(other_key, "signature", "member-a"),
    }
    assert len(values) == 4


def test_a_nullifier_is_an_hmac_digest_that_does_not_contain_the_member():
    value = nullifier(generate_key(), "signature", "member-a")
    assert re.fullmatch(r"[0-9a-f]{64}", value)
    assert "member-a" not in value


def test_without_the_item_key_there_is_no_nullifier():
    with pytest.raises(ValueError, match="closed item"):
        nullifier(b"", "signature", "member-a")


def test_random_ids_carry_128_bits_and_no_order():
    ids = [random_id() for _ in range(200)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert len(set(ids)) == 200
    assert ids != sorted(ids)


def test_coarse_date_keeps_only_the_utc_day():
    late_evening_in_new_york = datetime(2026, 3, 1, 22, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert coarse_date(late_evening_in_new_york) == date(2026, 3, 2)
    assert isinstance(coarse_date(), date) and not isinstance(coarse_date(), datetime)


def test_coarse_date_ignores_the_servers_time_zone(monkeypatch):
    # A server set to New Zealand time must still file a 23:30 UTC signature under the UTC day.
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    try:
        assert coarse_date(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)) == date(2026, 12, 1)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_coarse_date_refuses_a_naive_time():
    with pytest.raises(ValueError):
        coarse_date(datetime(2026, 3, 1, 12, 0))


def test_coarse_date_defaults_to_today_in_utc():
    assert coarse_date() == datetime.now(UTC).date()


def test_receipt_phrases_have_at_least_77_bits():
    words = receipt_wordlist()
    phrase = new_receipt_phrase()
    assert len(words) >= 2048
    assert len(phrase.split()) >= 7
    assert len(phrase.split()) * math.log2(len(words)) >= 77
    assert all(word in words for word in phrase.split())


def test_receipt_phrases_are_not_repeated():
    assert len({new_receipt_phrase() for _ in range(100)}) == 100


def test_short_receipts_are_refused():
    with pytest.raises(ValueError):
        new_receipt_phrase(words=6)


def test_a_typed_receipt_is_normalized_before_it_is_compared():
    assert normalize_receipt("  Apple-BANANA  cherry.\n") == "apple banana cherry"


def test_small_counts_are_hidden_with_a_complementary_cell():
    shown = suppress_small_groups({"Finance": 2, "Sales": 40, "Support": 12}, threshold=5)
    assert shown["Finance"] is None
    # Finance alone hidden would be recoverable from the public total: hide the next smallest.
    assert shown["Support"] is None
    assert shown["Sales"] == 40


def test_nothing_is_hidden_when_every_cell_reaches_the_threshold():
    counts = {"A": 5, "B": 9}
    assert suppress_small_groups(counts, threshold=5) == counts


def test_zero_counts_are_hidden_too():
    shown = suppress_small_groups({"A": 0, "B": 30, "C": 30}, threshold=5)
    assert shown["A"] is None
    assert list(shown.values()).count(None) == 2


def test_the_threshold_can_never_go_below_three():
    with pytest.raises(ValueError):
        suppress_small_groups({"A": 1}, threshold=2)


def test_coarse_date_refuses_a_naive_datetime_with_a_clear_message():
    with pytest.raises(ValueError, match=r"^coarse_date needs an aware datetime$"):
        coarse_date(datetime(2026, 3, 1, 12, 0))


def test_receipts_have_at_least_seven_words_and_six_is_refused():
    assert len(new_receipt_phrase(7).split()) == 7
    with pytest.raises(ValueError, match=r"^receipts need at least 7 words$"):
        new_receipt_phrase(6)
