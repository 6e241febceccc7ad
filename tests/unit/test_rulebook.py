"""Loading rulebooks: the TOML format, validation messages that name the place, the
shipped rulebooks, and policies passed through untouched."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from timebank.domain import rulebook
from timebank.errors import RulebookError

GOOD = """
[rulebook]
name = "test"
effective_from = 2024-01-01

[community]
allow_self_approval = true

[[rules]]
code = "snow"
name_zh = "扫雪"
name_en = "Snow clearing"
basis = "per_hour"
rate = 3
round_to = 0.5
caps = { day = 24 }
multipliers = [{ factor = 2, tags = ["blizzard"] }]

[tiers]
basis = "lifetime"
[[tiers.levels]]
code = "bronze"
name_zh = "铜"
name_en = "Bronze"
threshold = 100

[expiry]
policy = "never"

[transfers]
units = ["minutes"]
"""


def load(text: str) -> rulebook.Rulebook:
    return rulebook.loads(text, origin="book.toml")


def one_rule(**fields: object) -> str:
    lines = [f"{k} = {v!r}".replace("'", '"') if isinstance(v, str) else f"{k} = {v}"
             for k, v in fields.items()]
    return "[[rules]]\n" + "\n".join(lines) + "\n"


def failure(text: str) -> str:
    with pytest.raises(RulebookError) as err:
        load(text)
    return str(err.value)


def test_a_good_rulebook_loads_with_its_rules_and_defaults():
    book = load(GOOD)
    snow = book.get("snow")
    assert book.name == "test" and snow is not None
    assert snow.rate == 3 and snow.round_to == Fraction(1, 2)
    assert snow.caps.day == 24 and snow.multipliers[0].tags == ("blizzard",)
    assert snow.effective_from == date(2024, 1, 1)
    assert snow.unit == "points" and not snow.approval


def test_policies_and_community_options_are_kept_as_written():
    book = load(GOOD)
    assert book.policies["tiers"] == {"basis": "lifetime", "levels": [
        {"code": "bronze", "name_zh": "铜", "name_en": "Bronze", "threshold": 100}]}
    assert book.policies["expiry"] == {"policy": "never"}
    assert book.policies["transfers"] == {"units": ["minutes"]}
    assert book.community == {"allow_self_approval": True}


def test_bad_toml_names_the_file():
    assert failure("[[rules]\ncode = 1").startswith("book.toml: not valid TOML")


def test_an_unknown_basis_names_the_rule_and_the_field():
    message = failure(one_rule(code="x", basis="per_moon", rate=1))
    assert message.startswith("book.toml: rule 'x' (rules[0]): basis:")
    assert "per_moon" in message


def test_a_negative_rate_is_refused():
    message = failure(one_rule(code="x", basis="per_item", rate=-1))
    assert "rule 'x'" in message and "rate" in message and "≥ 0" in message


def test_a_cap_below_the_rate_is_refused():
    message = failure(one_rule(code="x", basis="per_item", rate=5) + "caps = { day = 3 }\n")
    assert "caps.day" in message and "below the rate" in message


def test_a_duplicate_code_names_both_places():
    text = one_rule(code="x", basis="per_item", rate=1) + one_rule(code="x", basis="per_item",
                                                                   rate=2)
    message = failure(text)
    assert "rules[1]" in message and "duplicate" in message and "rules[0]" in message


def test_an_unknown_field_in_a_rule_is_refused():
    assert "rtae" in failure(one_rule(code="x", basis="per_item", rate=1, rtae=2))


def test_an_unknown_top_level_table_is_refused():
    assert "rule" in failure(one_rule(code="x", basis="per_item", rate=1).replace(
        "[[rules]]", "[[rule]]"))


def test_a_rulebook_without_rules_is_refused():
    assert "at least one" in failure("[rulebook]\nname = 'x'\n")


def test_a_missing_rate_is_refused():
    assert "rate: is required" in failure(one_rule(code="x", basis="per_item"))


@pytest.mark.parametrize(("extra", "field"), [
    ("min_quantity = 3\nmax_quantity = 2", "min_quantity"),
    ("min_attendance = 1.5", "min_attendance"),
    ("due_day = 10", "due_day"),
    ("rounding = 'sideways'", "rounding"),
    ("multipliers = [{ factor = 0 }]", "multipliers[0].factor"),
    ("multipliers = [{ factor = 2, weekdays = ['someday'] }]", "multipliers[0].weekdays"),
    ("multipliers = [{ factor = 2, dates = [['2024-02-10', '2024-02-01']] }]",
     "multipliers[0].dates"),
    ("streak = { every = 4 }", "streak"),
    ("caps = { fortnight = 3 }", "caps.fortnight"),
    ("approval = 'yes'", "approval"),
    ("unit = 'yuan'", "unit"),
])
def test_each_bad_field_is_named(extra, field):
    text = one_rule(code="x", basis="per_item", rate=1) + extra + "\n"
    with pytest.raises(RulebookError) as err:
        load(text)
    assert err.value.details["field"] == field
    assert err.value.details["rule"] == "rule 'x' (rules[0])"


def test_self_approval_must_be_a_boolean():
    assert "allow_self_approval" in failure(
        "[community]\nallow_self_approval = 'no'\n" + one_rule(code="x", basis="per_item",
                                                               rate=1))


def test_the_same_rules_can_be_built_in_python():
    built = rulebook.rule(code="snow", name_zh="扫雪", name_en="Snow clearing",
                          basis="per_hour", rate=3, round_to=0.5, caps={"day": 24},
                          multipliers=[{"factor": 2, "tags": ["blizzard"]}],
                          effective_from="2024-01-01")
    assert built == load(GOOD).get("snow")


def test_a_python_rule_is_validated_too():
    with pytest.raises(RulebookError, match="rate"):
        rulebook.rule(code="x", basis="per_item", rate=-2)


def test_a_rule_survives_the_round_trip_through_plain_data():
    snow = load(GOOD).get("snow")
    assert snow is not None
    assert rulebook.rule(**rulebook.to_dict(snow)) == snow


@pytest.mark.parametrize("name", ["red_vest", "party_member", "time_bank"])
def test_the_shipped_rulebooks_load(name):
    book = rulebook.load(name)
    assert book.rules and book.name == name
    for r in book.rules:
        assert rulebook.rule(**rulebook.to_dict(r)) == r


def test_the_shipped_points_rulebooks_carry_six_or_more_levels_or_tiers():
    assert len(rulebook.load("party_member").policies["tiers"]["levels"]) == 6
    assert rulebook.load("red_vest").policies["tiers"]["levels"]
    assert rulebook.load("time_bank").policies["transfers"]["storage_cap"] == 90000


def test_the_red_vest_snow_rule_doubles_in_a_blizzard():
    snow = rulebook.load("red_vest").get("snow_clearing")
    assert snow is not None and snow.multipliers[0].tags == ("blizzard",)


def test_a_missing_file_is_reported_by_name(tmp_path):
    with pytest.raises(RulebookError, match=r"nowhere\.toml"):
        rulebook.load(tmp_path / "nowhere.toml")


@pytest.mark.parametrize(("table", "field"), [
    ('[tiers]\nbasis = "weekly"\n[[tiers.levels]]\ncode = "a"\nname_zh = "甲"\n'
     'name_en = "A"\nthreshold = 1\n', "basis"),
    ('[expiry]\npolicy = "monthly"\n', "policy"),
    ('[transfers]\nunits = ["hours"]\n', "units"),
])
def test_a_bad_policy_table_fails_the_load_naming_the_file_and_table(table, field):
    message = failure(one_rule(code="snow", basis="per_hour", rate=1) + table)
    assert message.startswith("book.toml: [")
    assert field in message
