"""Exchange (requests and offers) as worked examples: what a rulebook's categories and
``[exchange]`` table may hold (a limit reached exactly is still allowed), the checks on
minutes and states, how minutes are split among volunteers, how near two units are, and a
stored request as the API shows it."""

from datetime import date, datetime

import pytest

from timebank.domain.exchange import (
    DEFAULT_CATEGORIES,
    FINAL,
    FUNDERS,
    HELD,
    OFFER_STATUSES,
    STATUSES,
    Category,
    ExchangePolicy,
    ExchangeRequest,
    StoredRequest,
    categories_from,
    categories_of,
    check_category,
    check_minutes,
    check_status,
    nearness,
    split,
)
from timebank.errors import TimebankError

TRILLION = 1_000_000_000_000


def refusal(call, *args, **kwargs):
    """(class name, message, details) of the error ``call`` raises."""
    with pytest.raises(TimebankError) as caught:
        call(*args, **kwargs)
    return type(caught.value).__name__, str(caught.value), caught.value.details


def table(code, zh="中", en="En"):
    return {"code": code, "name_zh": zh, "name_en": en}


# -- constants -------------------------------------------------------------------------------


def test_the_states_funders_and_default_categories_are_fixed():
    assert STATUSES == ("open", "claimed", "disputed", "done", "cancelled", "expired")
    assert {"done", "cancelled", "expired"} == FINAL
    assert {"open", "claimed", "disputed"} == HELD
    assert (FUNDERS, OFFER_STATUSES) == (("member", "pool"), ("listed", "withdrawn"))
    assert [c.code for c in DEFAULT_CATEGORIES] == [
        "meals", "cleaning", "clinic", "company", "errands", "repairs", "other"]
    assert DEFAULT_CATEGORIES[0] == Category("meals", "助餐", "Meals")


# -- [[categories]] --------------------------------------------------------------------------


def test_categories_are_returned_as_plain_tables_in_order():
    raw = [table("meals", "助餐", "Meals"), table("knife-sharpening", "磨刀", "Knives")]
    assert categories_from(raw) == [
        {"code": "meals", "name_zh": "助餐", "name_en": "Meals"},
        {"code": "knife-sharpening", "name_zh": "磨刀", "name_en": "Knives"}]


def test_a_missing_english_name_is_the_code():
    assert categories_from([{"code": "tea", "name_zh": "茶"}]) == [
        {"code": "tea", "name_zh": "茶", "name_en": "tea"}]


@pytest.mark.parametrize(("raw", "where"), [
    ([], "[[categories]]"), ({"code": "tea"}, "[[categories]]"), (None, "x.toml")])
def test_categories_must_be_a_non_empty_list(raw, where):
    args = (raw,) if where == "[[categories]]" else (raw, where)
    assert refusal(categories_from, *args) == (
        "RulebookError", f"{where}: categories must be a non-empty list of tables",
        {"field": "categories", "where": where})


def test_each_category_must_be_a_table_named_by_its_index():
    assert refusal(categories_from, [table("tea"), "coffee"], "x.toml") == (
        "RulebookError", "x.toml: categories[1] must be a table",
        {"field": "categories[1]", "where": "x.toml"})


def test_an_unknown_field_is_refused_the_first_in_alphabetical_order():
    item = {**table("tea"), "colour": "red", "alias": "cha"}
    assert refusal(categories_from, [table("meals"), item]) == (
        "RulebookError", "[[categories]]: categories[1].alias is not a category field",
        {"field": "categories[1].alias", "where": "[[categories]]"})


@pytest.mark.parametrize(("code", "shown"), [
    (None, "None"), (7, "7"), ("Tea", "'Tea'"), ("", "''"), ("-tea", "'-tea'"),
    ("t" * 65, repr("t" * 65))])
def test_a_code_must_be_short_lower_case_text(code, shown):
    item = {"code": code, "name_zh": "茶", "name_en": "Tea"}
    if code is None:
        del item["code"]
    assert refusal(categories_from, [table("meals"), item]) == (
        "RulebookError",
        f"[[categories]]: categories[1].code must be a short lower-case code, got {shown}",
        {"field": "categories[1].code", "where": "[[categories]]"})


def test_a_code_of_sixty_four_characters_is_the_longest_allowed():
    assert categories_from([table("t" * 64)])[0]["code"] == "t" * 64


def test_a_code_used_twice_is_refused_at_its_second_use():
    assert refusal(categories_from, [table("tea"), table("meals"), table("tea")]) == (
        "RulebookError", "[[categories]]: categories[2].code duplicates 'tea'",
        {"field": "categories[2].code", "where": "[[categories]]"})


@pytest.mark.parametrize("name", ["name_zh", "name_en"])
@pytest.mark.parametrize("value", ["", "   ", 5, "x" * 101])
def test_each_name_must_be_non_empty_text_of_at_most_a_hundred_characters(name, value):
    item = {**table("tea"), name: value}
    assert refusal(categories_from, [table("meals"), item]) == (
        "RulebookError", f"[[categories]]: categories[1].{name} must be non-empty text",
        {"field": f"categories[1].{name}", "where": "[[categories]]"})


def test_a_missing_chinese_name_is_refused():
    assert refusal(categories_from, [{"code": "tea", "name_en": "Tea"}]) == (
        "RulebookError", "[[categories]]: categories[0].name_zh must be non-empty text",
        {"field": "categories[0].name_zh", "where": "[[categories]]"})


def test_names_of_a_hundred_characters_are_the_longest_allowed():
    long = "x" * 100
    assert categories_from([table("tea", long, long)]) == [
        {"code": "tea", "name_zh": long, "name_en": long}]


# -- a community's categories ------------------------------------------------------------------


def test_a_community_without_categories_has_the_default_list():
    assert categories_of({}) is DEFAULT_CATEGORIES
    assert categories_of({"categories": []}) is DEFAULT_CATEGORIES


def test_a_community_with_categories_has_exactly_those():
    settings = {"categories": [table("tea", "茶", "Tea"), table("dogs", "遛狗", "Dogs")]}
    assert categories_of(settings) == (Category("tea", "茶", "Tea"),
                                       Category("dogs", "遛狗", "Dogs"))


def test_a_known_category_is_returned_and_an_unknown_one_refused_listing_the_known():
    settings = {"categories": [table("tea"), table("dogs")]}
    assert check_category(settings, "dogs") == "dogs"
    assert refusal(check_category, settings, "meals") == (
        "ValidationError", "category must be one of tea, dogs, got 'meals'",
        {"field": "category"})
    assert check_category({}, "repairs") == "repairs"


# -- [exchange] --------------------------------------------------------------------------------


def test_an_empty_exchange_table_gives_the_defaults():
    assert ExchangePolicy.from_mapping({}) == ExchangePolicy(
        480, 10, ("elderly_alone", "low_income"))


def test_a_full_exchange_table_is_read_field_by_field():
    data = {"max_minutes": 90, "max_volunteers": 3, "pool_tags": ["disabled"]}
    assert ExchangePolicy.from_mapping(data) == ExchangePolicy(90, 3, ("disabled",))
    assert ExchangePolicy.from_mapping({"pool_tags": []}).pool_tags == ()


def test_the_limits_of_the_exchange_table_are_allowed_exactly():
    assert ExchangePolicy.from_mapping({"max_minutes": 1, "max_volunteers": 1}) == \
        ExchangePolicy(1, 1)
    assert ExchangePolicy.from_mapping({"max_minutes": TRILLION, "max_volunteers": 1000}) \
        == ExchangePolicy(TRILLION, 1000)


def test_an_exchange_setting_that_is_not_a_table_is_refused_where_it_was_read():
    assert refusal(ExchangePolicy.from_mapping, [1]) == (
        "RulebookError", "exchange: exchange must be a table",
        {"field": "exchange", "where": "exchange"})
    assert refusal(ExchangePolicy.from_mapping, "x", "a.toml") == (
        "RulebookError", "a.toml: exchange must be a table",
        {"field": "exchange", "where": "a.toml"})


def test_an_unknown_exchange_setting_is_refused_the_first_in_alphabetical_order():
    assert refusal(ExchangePolicy.from_mapping, {"zone": 1, "colour": 2}, "a.toml") == (
        "RulebookError", "a.toml: colour is not an exchange setting",
        {"field": "colour", "where": "a.toml"})


@pytest.mark.parametrize(("name", "high"), [
    ("max_minutes", TRILLION), ("max_volunteers", 1000)])
@pytest.mark.parametrize("offset", ["zero", "above", True, 1.5, "5", -1])
def test_exchange_limits_must_be_whole_numbers_in_range(name, high, offset):
    value = {"zero": 0, "above": high + 1}.get(offset, offset)
    assert refusal(ExchangePolicy.from_mapping, {name: value}) == (
        "RulebookError", f"exchange: {name} must be a whole number from 1 to {high}",
        {"field": name, "where": "exchange"})


@pytest.mark.parametrize("tags", ["elderly_alone", ["ok", 3], ("a",)])
def test_pool_tags_must_be_a_list_of_text(tags):
    assert refusal(ExchangePolicy.from_mapping, {"pool_tags": tags}) == (
        "RulebookError", "exchange: pool_tags must be a list of tags",
        {"field": "pool_tags", "where": "exchange"})


def test_a_communitys_policy_is_read_from_its_exchange_setting_or_is_the_default():
    assert ExchangePolicy.of({}) == ExchangePolicy()
    assert ExchangePolicy.of({"exchange": None}) == ExchangePolicy()
    assert ExchangePolicy.of({"exchange": {"max_volunteers": 4}}) == ExchangePolicy(480, 4)
    assert refusal(ExchangePolicy.of, {"exchange": {"max_volunteers": 0}}) == (
        "RulebookError", "exchange: max_volunteers must be a whole number from 1 to 1000",
        {"field": "max_volunteers", "where": "exchange"})


# -- minutes and states ------------------------------------------------------------------------


def test_minutes_from_one_to_a_trillion_are_accepted():
    assert (check_minutes(1), check_minutes(TRILLION)) == (1, TRILLION)


@pytest.mark.parametrize(("value", "shown"), [
    (0, "0"), (TRILLION + 1, "1000000000001"), (True, "True"), (2.0, "2.0"), ("3", "'3'")])
def test_other_minutes_are_refused_naming_the_field_and_the_range(value, shown):
    assert refusal(check_minutes, value) == (
        "ValidationError",
        f"minutes must be a whole number from 1 to 1000000000000, got {shown}",
        {"field": "minutes"})


def test_a_range_of_minutes_may_be_given_and_is_met_exactly():
    assert check_minutes(5, "estimate", low=5, high=6) == 5
    assert check_minutes(6, "estimate", low=5, high=6) == 6
    assert refusal(check_minutes, 4, "estimate", low=5, high=6) == (
        "ValidationError", "estimate must be a whole number from 5 to 6, got 4",
        {"field": "estimate"})
    assert refusal(check_minutes, 7, "estimate", low=5, high=6)[1] == \
        "estimate must be a whole number from 5 to 6, got 7"


def test_a_request_changes_only_from_the_states_the_act_starts_from():
    assert check_status("open", ("open", "claimed"), "cancel") is None
    assert refusal(check_status, "done", ("open", "claimed"), "cancel") == (
        "InvalidState", "cannot cancel a request that is done", {"state": "done"})


# -- split and nearness ------------------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "shares", "expected"), [
    (9, 3, [3, 3, 3]), (10, 3, [4, 3, 3]), (11, 3, [4, 4, 3]), (2, 3, [1, 1, 0]),
    (60, 1, [60])])
def test_minutes_are_split_evenly_the_first_claims_taking_the_odd_minutes(
        minutes, shares, expected):
    assert split(minutes, shares) == expected


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("/g1/b1/h1/", "/g1/b1/h2/", 0),   # the same building
    ("/g1/b1/", "/g1/b1/h2/", 0),      # a building and a household in it
    ("g1/b1", "/g1/b1/", 0),           # slashes at the ends do not count
    ("/g1/b1/", "/g1/b2/", 1),         # the same grid
    ("/g1/", "/g1/", 1),
    ("/g1/b1/h1/", "/g1/", 1),
    ("/g1/b1/", "/g2/b1/", 2),         # another grid, the same building name
    ("/X1/B1/", "/X1/B2/", 1),         # only slashes are trimmed, not letters
    ("/g1/b1/", None, 2), (None, "/g1/b1/", 2), ("", "/g1/", 2), ("/g1/", "", 2)])
def test_nearness_counts_the_unit_path_two_units_share(a, b, expected):
    assert nearness(a, b) == expected


# -- a stored request as shown -------------------------------------------------------------------


def stored(**extra):
    fields = dict(
        id=12, status="claimed", requester="m-7", requester_id=7, minutes=90,
        funded_by="member", payer_account=70, hold_id=5, max_volunteers=2,
        volunteers=("v-1",), volunteer_ids=(1,), needed_on=date(2024, 5, 2),
        title="Fix a tap", volunteer_accounts=(11,), category="repairs", place="Block 3",
        offer=4, reason="r", created_at=datetime(2024, 5, 1, 8, 30), minutes_paid=None,
        entry_id=None)
    return StoredRequest(**{**fields, **extra})


def test_a_held_request_is_shown_with_every_field_and_its_estimate_held():
    assert stored().shown() == ExchangeRequest(
        12, "claimed", "m-7", "Fix a tap", "repairs", 90, 90, "m-7", "member",
        date(2024, 5, 2), "Block 3", 2, ("v-1",), None, None, 4, "r",
        datetime(2024, 5, 1, 8, 30), (), ())


@pytest.mark.parametrize(("status", "held"), [
    ("open", 90), ("disputed", 90), ("done", 0), ("cancelled", 0), ("expired", 0)])
def test_only_an_open_claimed_or_disputed_request_still_holds_its_estimate(status, held):
    assert stored().shown(status=status).minutes_held == held


def test_a_request_is_shown_after_the_changes_and_paid_from_the_pool_when_pool_funded():
    shown = stored(funded_by="pool").shown(
        status="done", volunteers=("v-1", "v-2"), minutes_paid=75, entry_id=33,
        reason="all good")
    assert (shown.status, shown.minutes_held, shown.payer, shown.funded_by,
            shown.volunteers, shown.minutes_paid, shown.entry_id, shown.reason) == (
        "done", 0, "pool", "pool", ("v-1", "v-2"), 75, 33, "all good")
    assert stored().payer == "m-7"
