"""Identifying-text warnings measured on a small labelled corpus: precision and recall.

Each line is labelled by what a colleague reading it could use to tell who wrote it. The
test prints both figures (run with -s to see them) and fails below the floors.
"""

from __future__ import annotations

import pytest

from voicebox.identifying import BADGE, EXTENSION, NAME, PHONE, ROLE, find_identifying_text

IDENTIFYING = [
    ("Mark Jones in payroll told me the cameras stay on", NAME),
    ("My name is Dave and I have worked here nine years, ext 4412", NAME),
    ("I'm the only forklift driver on Tuesday nights", ROLE),
    ("As the only nurse on ward 7 I see every rota change", ROLE),
    ("Call 07700 900123 if you want details", PHONE),
    ("call 07700 and ask for me", PHONE),
    ("My badge number is 48213", BADGE),
    ("Staff ID: 90412, night shift", BADGE),
    ("Reach me on extension 2231", EXTENSION),
    ("I reported it to Dr Patel last month", NAME),
    ("Regards, Sarah", NAME),
    ("Sarah Thompson and I raised this in March", NAME),
    ("I spoke to Gemma about the heat in the warehouse", NAME),
    ("I am the one receptionist who works Saturdays", ROLE),
    ("As the sole electrician at the Leeds site this affects me", ROLE),
    ("My employee number is EMP-004512", BADGE),
    ("Ring me: 0161 496 0000", PHONE),
    ("I was the new apprentice in March and nobody trained me", ROLE),
    ("Ask Mrs Okafor, she saw it happen", NAME),
    ("I'm the only wheelchair user in the building", ROLE),
    ("x2231 is my desk line", EXTENSION),
    ("Cheers, Tom", NAME),
    ("Write to me at j.smith@corp.example", "an email address"),
    ("My payroll number is 3318", BADGE),
]
ORDINARY = [
    "The new monitoring tool records every keystroke.",
    "In 2024 the canteen prices rose twice.",
    "Ward 7 has had no air conditioning since June.",
    "The only way to fix this is to hire more staff.",
    "Only managers can approve overtime, which slows everything down.",
    "May we have a proper answer before the summer?",
    "Will leadership publish the review?",
    "Mark the rota changes clearly on the board, please.",
    "Parking at the Leeds site costs 40 pounds a month.",
    "We need 3 more microwaves for 120 people.",
    "The one thing we ask is a straight answer.",
    "Please give us the 2023 survey results in full.",
    "Shifts over 12 hours break the working time rules.",
    "The heating in building B has failed four times.",
    "Everyone on nights is exhausted.",
    "Room 101 floods whenever it rains.",
    "Our team lost 5 people since January.",
    "The first thing new starters see is a broken lift.",
    "The cafe opens at 8 and closes at 3.",
    "Grace periods for late clock-ins were removed.",
    "The survey closes on 14 March.",
    "Please reply to this concern rather than the all-staff email.",
    "Version 2 of the policy was never shared.",
    "Managers in Bristol and Glasgow got the bonus, nobody else did.",
]
PRECISION_FLOOR = 0.9
RECALL_FLOOR = 0.9


def _flagged(text: str) -> bool:
    return bool(find_identifying_text(text))


def test_precision_and_recall_on_the_labelled_corpus() -> None:
    true_positives = sum(_flagged(text) for text, _ in IDENTIFYING)
    false_positives = [text for text in ORDINARY if _flagged(text)]
    misses = [text for text, _ in IDENTIFYING if not _flagged(text)]
    precision = true_positives / (true_positives + len(false_positives))
    recall = true_positives / len(IDENTIFYING)
    print(
        f"\nidentifying-text warnings: precision {precision:.2f}, recall {recall:.2f} "
        f"({len(IDENTIFYING)} identifying, {len(ORDINARY)} ordinary lines)"
    )
    assert precision >= PRECISION_FLOOR, f"false alarms: {false_positives}"
    assert recall >= RECALL_FLOOR, f"missed: {misses}"


@pytest.mark.parametrize(("text", "kind"), IDENTIFYING)
def test_each_identifying_line_is_caught_for_the_right_reason(text: str, kind: str) -> None:
    assert kind in {hint.kind for hint in find_identifying_text(text)}


def test_a_short_number_after_call_is_a_phone_not_a_badge() -> None:
    kinds = [hint.kind for hint in find_identifying_text("call 07700 and ask for me")]
    assert kinds == [PHONE]


def test_names_come_from_the_packaged_list_not_capitals_alone() -> None:
    assert find_identifying_text("I spoke to Zorblax about the heat") == []
    assert [h.kind for h in find_identifying_text("I spoke to Priya about the heat")] == [NAME]
