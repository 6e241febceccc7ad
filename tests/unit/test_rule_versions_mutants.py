"""Rule versions as worked examples: which version is in force on a local day."""

from datetime import date

import pytest

from timebank.domain import rulebook
from timebank.domain.rule_versions import BEGINNING, same_rule, timed_codes, version_on
from timebank.errors import TimebankError


def refusal(call, *args, **kwargs):
    """(class name, message, details) of the error ``call`` raises."""
    with pytest.raises(TimebankError) as caught:
        call(*args, **kwargs)
    return type(caught.value).__name__, str(caught.value), caught.value.details


FIRST = rulebook.rule(code="patrol", basis="per_hour", rate=1)
SECOND = rulebook.rule(code="patrol", basis="per_hour", rate=2, effective_from="2026-03-01")
THIRD = rulebook.rule(code="patrol", basis="per_hour", rate=3, effective_from="2026-06-01")
VERSIONS = {"patrol": [(11, FIRST), (12, SECOND), (13, THIRD)]}


def test_the_beginning_is_the_first_of_january_1970():
    assert date(1970, 1, 1) == BEGINNING


def test_an_undated_first_version_is_in_force_from_the_beginning():
    assert version_on(VERSIONS, "patrol", date(1970, 1, 1)) == (11, FIRST)
    assert version_on(VERSIONS, "patrol", date(2026, 2, 28)) == (11, FIRST)


def test_a_version_is_in_force_from_its_first_day_until_the_day_before_the_next():
    assert version_on(VERSIONS, "patrol", date(2026, 3, 1)) == (12, SECOND)
    assert version_on(VERSIONS, "patrol", date(2026, 5, 31)) == (12, SECOND)
    assert version_on(VERSIONS, "patrol", date(2026, 6, 1)) == (13, THIRD)
    assert version_on(VERSIONS, "patrol", date(2030, 1, 1)) == (13, THIRD)


def test_a_day_before_the_first_dated_version_is_refused_naming_its_start():
    dated = {"patrol": [(12, SECOND), (13, THIRD)]}
    assert version_on(dated, "patrol", date(2026, 3, 1)) == (12, SECOND)
    assert refusal(version_on, dated, "patrol", date(2026, 2, 28)) == (
        "UnknownRule", "rule 'patrol' is not in force on 2026-02-28 (from 2026-03-01)",
        {"field": "rule"})


def test_a_rule_without_versions_is_unknown():
    assert refusal(version_on, VERSIONS, "sweep", date(2026, 3, 1)) == (
        "UnknownRule", "unknown rule 'sweep'", {"field": "rule"})
    assert refusal(version_on, {"sweep": []}, "sweep", date(2026, 3, 1)) == (
        "UnknownRule", "unknown rule 'sweep'", {"field": "rule"})


def test_a_rule_is_timed_if_any_of_its_versions_counts_hours():
    items = rulebook.rule(code="bake", basis="per_item", rate=1)
    was_items = rulebook.rule(code="tutor", basis="per_item", rate=1)
    now_hours = rulebook.rule(code="tutor", basis="per_hour", rate=1,
                              effective_from="2026-01-01")
    versions = {"patrol": [(1, FIRST)], "bake": [(2, items)],
                "tutor": [(3, was_items), (4, now_hours)]}
    assert timed_codes(versions) == {"patrol", "tutor"}
    assert timed_codes({"bake": [(2, items)]}) == set()


def test_two_definitions_are_the_same_rule_whatever_their_dates():
    stored = {"code": "patrol", "rate": 1, "effective_from": "2026-01-01"}
    assert same_rule(stored, {"code": "patrol", "rate": 1, "effective_from": "2026-05-01"})
    assert same_rule(stored, {"code": "patrol", "rate": 1})
    assert same_rule({"code": "patrol", "rate": 1}, stored)
    assert not same_rule(stored, {"code": "patrol", "rate": 2, "effective_from": "2026-01-01"})
    assert not same_rule(stored, {"code": "patrol", "rate": 1, "round_to": 1})
    assert not same_rule({"code": "patrol", "rate": 1, "round_to": 1}, stored)
