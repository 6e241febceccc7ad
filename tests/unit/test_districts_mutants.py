"""Districts (通存通兑) as worked examples: clearing account names, members of another
community, exchange rates between communities (an amount converts exactly or is refused)
and what a district's terms may hold (a limit reached exactly is still allowed)."""

import pytest

from timebank.domain.districts import (
    CLEARING,
    SETTLEMENT,
    District,
    clearing_name,
    district_terms,
    partner_of,
    split_member,
)
from timebank.errors import TimebankError


def refusal(call, *args, **kwargs):
    """(class name, message, details) of the error ``call`` raises."""
    with pytest.raises(TimebankError) as caught:
        call(*args, **kwargs)
    return type(caught.value).__name__, str(caught.value), caught.value.details


def district(rates=None, units=("points", "minutes")):
    return District(1, "east", "East", ("A", "B", "C"), units,
                    rates if rates is not None else {"points": {"A": 3, "B": 2}})


# -- names ---------------------------------------------------------------------------------


def test_a_clearing_account_is_named_after_the_partner_and_read_back():
    assert (CLEARING, SETTLEMENT) == ("clearing:", "settlement")
    assert clearing_name(12) == "clearing:12"
    assert partner_of("clearing:12") == 12
    assert partner_of("clearing:7") == 7


@pytest.mark.parametrize("system", ["settlement", "pool", "x clearing:12", "CLEARING:3"])
def test_other_system_accounts_have_no_partner(system):
    assert partner_of(system) is None


def test_a_member_of_another_community_is_named_community_colon_code():
    assert split_member("A:M-7") == ("A", "M-7")
    assert split_member("A:M:7") == ("A", "M:7")
    assert split_member("M-7") is None


@pytest.mark.parametrize("ref", [":M-7", "A:", ":"])
def test_a_cross_member_name_needs_both_halves(ref):
    assert refusal(split_member, ref) == (
        "ValidationError", "a member of another community is named COMMUNITY:CODE",
        {"field": "member"})


# -- rates and conversion -----------------------------------------------------------------------


def test_a_rate_not_given_is_one():
    east = district()
    assert (east.rate("points", "A"), east.rate("points", "C"), east.rate("minutes", "A")) \
        == (3, 1, 1)


def test_a_district_clears_only_its_units():
    assert district(units=("points",)).check_unit("points") is None
    assert refusal(district(units=("points",)).check_unit, "minutes") == (
        "ValidationError", "district 'east' does not clear 'minutes'", {"field": "unit"})


def test_an_amount_converts_at_the_ratio_of_the_two_rates():
    east = district()
    # 4 points of A (rate 3) are 12 in district value, 6 points of B (rate 2).
    assert east.convert("points", 4, "A", "B") == 6
    # 6 points of B are 12 in district value, 4 points of A.
    assert east.convert("points", 6, "B", "A") == 4
    # C has rate 1: 5 points of B are 10 points of C.
    assert east.convert("points", 5, "B", "C") == 10
    assert east.convert("minutes", 9, "A", "B") == 9
    assert type(east.convert("points", 4, "A", "B")) is int


def test_an_amount_that_is_no_whole_amount_in_the_target_is_refused():
    # 5 points of B are 10 in district value: 10 / 3 is not whole in A.
    assert refusal(district().convert, "points", 5, "B", "A") == (
        "ValidationError", "5 points of B is no whole amount in A (rates 2:3)",
        {"field": "amount"})


# -- terms --------------------------------------------------------------------------------------


def terms(**changes):
    args = {"code": "east", "name": "East district", "communities": ["A", "B"],
            "units": ["points"], "rates": None, "position_limit": None}
    args.update(changes)
    return args


def test_the_smallest_terms_are_stored_with_no_rates_and_no_limit():
    assert district_terms(**terms()) == {"units": ["points"], "rates": {},
                                         "position_limit": None}


def test_full_terms_are_stored_as_given():
    stored = district_terms(**terms(
        code="e" * 64, name="n" * 200, communities=("A", "B", "C"),
        units=("minutes", "points"), rates={"minutes": {"A": 1, "C": 1_000_000}},
        position_limit=10**12))
    assert stored == {"units": ["minutes", "points"],
                      "rates": {"minutes": {"A": 1, "C": 1_000_000}},
                      "position_limit": 10**12}
    assert type(stored["rates"]["minutes"]) is dict
    assert district_terms(**terms(position_limit=1))["position_limit"] == 1


def test_a_one_character_code_and_name_and_a_rate_for_every_community_are_allowed():
    stored = district_terms(**terms(code="e", name="E", rates={"points": {"A": 2, "B": 3}}))
    assert stored == {"units": ["points"], "rates": {"points": {"A": 2, "B": 3}},
                      "position_limit": None}


@pytest.mark.parametrize("code", ["", "e" * 65, 5, None])
def test_a_code_is_one_to_sixty_four_characters(code):
    assert refusal(district_terms, **terms(code=code)) == (
        "ValidationError", "code is 1 to 64 characters", {"field": "code"})


@pytest.mark.parametrize("name", ["", "n" * 201, 5, None])
def test_a_name_is_one_to_two_hundred_characters(name):
    assert refusal(district_terms, **terms(name=name)) == (
        "ValidationError", "name is 1 to 200 characters", {"field": "name"})


@pytest.mark.parametrize("communities", [
    ["A"], [], ["A", "A"], ["A", "B", "A"], "AB", {"A", "B"}, ["A", 2], None])
def test_a_district_has_two_or_more_different_communities(communities):
    assert refusal(district_terms, **terms(communities=communities)) == (
        "ValidationError", "a district has two or more different communities",
        {"field": "communities"})


@pytest.mark.parametrize("units", [
    [], ["points", "points"], ["hours"], ["points", "hours"], "points", None, {"points"}])
def test_units_are_one_or_more_known_units(units):
    assert refusal(district_terms, **terms(units=units)) == (
        "ValidationError", "units are one or more of points, minutes", {"field": "units"})


@pytest.mark.parametrize("rates", [[("points", {})], {"minutes": {"A": 2}}])
def test_rates_are_per_unit_of_the_district(rates):
    assert refusal(district_terms, **terms(rates=rates)) == (
        "ValidationError", "rates are per unit of the district", {"field": "rates"})


@pytest.mark.parametrize("per", [
    [("A", 2)], {"Z": 2}, {"A": 0}, {"A": 1_000_001}, {"A": True}, {"A": 2.0},
    {"A": 2, "B": -1}])
def test_a_units_rates_are_whole_weights_for_communities_of_the_district(per):
    assert refusal(district_terms, **terms(rates={"points": per})) == (
        "ValidationError",
        "a unit's rates give each community a whole weight from 1 to 1000000",
        {"field": "rates"})


@pytest.mark.parametrize("limit", [0, -1, 10**12 + 1, True, 5.0, "5"])
def test_a_position_limit_is_a_whole_positive_amount(limit):
    assert refusal(district_terms, **terms(position_limit=limit)) == (
        "ValidationError", "position_limit is a whole positive amount",
        {"field": "position_limit"})
