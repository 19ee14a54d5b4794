"""A3/A6: a sequence of group breakdowns can't be differenced into a count under k."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from voicebox.anonymity import cumulative_releases


def _cumulative(increments: dict[str, list[int]]) -> dict[str, list[int]]:
    return {g: list(itertools.accumulate(steps)) for g, steps in increments.items()}


def _pairwise_problems(series: dict[str, list[int]], releases, k: int) -> list[str]:
    groups = sorted(series)
    problems = []
    remainders = []
    for w, release in enumerate(releases):
        hidden = frozenset(g for g in groups if release[g] is None)
        for g in groups:
            if release[g] is not None and (release[g] != series[g][w] or release[g] < k):
                problems.append(f"period {w}: {g} shows {release[g]}")
        if 0 < len(hidden) < len(groups):
            remainder = sum(series[g][w] for g in hidden)
            if len(hidden) == 1 or remainder < k:
                problems.append(f"period {w}: the hidden groups {sorted(hidden)} hold {remainder}")
            remainders.append((w, hidden, remainder))
    for (a, first), (b, second) in itertools.combinations(enumerate(releases), 2):
        for g in groups:
            if first[g] is not None and second[g] is not None and 0 < abs(second[g] - first[g]) < k:
                problems.append(f"{g}: {first[g]} in period {a}, {second[g]} in period {b}")
    for (a, h1, r1), (b, h2, r2) in itertools.combinations(remainders, 2):
        if h1 == h2 and 0 < abs(r2 - r1) < k:
            problems.append(f"hidden {sorted(h1)}: {r1} in period {a}, {r2} in period {b}")
    return problems


increments = st.integers(1, 5).flatmap(
    lambda n_groups: st.integers(1, 8).flatmap(
        lambda n_periods: st.lists(
            st.lists(
                st.one_of(st.integers(0, 3), st.integers(0, 12)), min_size=n_periods, max_size=n_periods
            ),
            min_size=n_groups,
            max_size=n_groups,
        )
    )
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(increments, st.integers(3, 6))
@example([[8, 1, 1]], 5)  # Engineering 8, 9, 10 with k = 5: "1 on 26 Nov"
@example([[8, 1, 1], [20, 0, 6]], 5)
@example([[6, 0, 2, 3], [7, 1, 1, 1], [30, 2, 2, 2]], 5)
def test_no_two_released_figures_differ_by_a_count_under_k(steps, k):
    series = _cumulative({f"group-{i}": row for i, row in enumerate(steps)})
    releases = cumulative_releases(series, k)
    assert len(releases) == len(steps[0])
    problems = _pairwise_problems(series, releases, k)
    assert not problems, problems


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(increments, st.integers(3, 6))
def test_a_release_never_changes_when_later_periods_arrive(steps, k):
    series = _cumulative({f"group-{i}": row for i, row in enumerate(steps)})
    releases = cumulative_releases(series, k)
    for w in range(len(releases)):
        earlier = cumulative_releases({g: values[: w + 1] for g, values in series.items()}, k)
        assert earlier == releases[: w + 1]


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.integers(-3, 12), min_size=4, max_size=4), min_size=2, max_size=4),
    st.integers(3, 6),
)
def test_withdrawals_that_lower_a_figure_are_differenced_safely_too(steps, k):
    series = {f"group-{i}": [max(0, v) for v in itertools.accumulate(row)] for i, row in enumerate(steps)}
    assert not _pairwise_problems(series, cumulative_releases(series, k), k)


def test_the_engineering_example_reads_as_expected():
    releases = cumulative_releases({"Engineering": [8, 9, 10, 13], "Sales": [20, 20, 26, 26]}, 5)
    assert [r["Engineering"] for r in releases] == [8, None, None, 13]
    # With only two groups, Engineering hidden alone would be the total minus Sales.
    assert [r["Sales"] for r in releases] == [20, None, None, 26]


def test_a_lone_hidden_group_takes_a_second_one_with_it():
    releases = cumulative_releases({"A": [2], "B": [9], "C": [30]}, 5)
    assert releases == [{"A": None, "B": None, "C": 30}]


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match=r"^threshold must be at least 3$"):
        cumulative_releases({"A": [1]}, 2)
    with pytest.raises(ValueError, match=r"^every group needs a figure for every period$"):
        cumulative_releases({"A": [1, 2], "B": [1]}, 5)
    assert cumulative_releases({}, 5) == []
    assert cumulative_releases({"A": []}, 5) == []
