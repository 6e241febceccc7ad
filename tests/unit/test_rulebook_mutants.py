"""Rulebooks as worked examples: every refusal in the exact words a community worker reads
(file, rule, field, problem), every bound reached exactly, and the defaults spelled out."""

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from timebank.domain import rulebook
from timebank.domain.rules import Caps, Multiplier, Rule, Streak
from timebank.errors import TimebankError

SNOW = {"code": "snow", "basis": "per_hour", "rate": 3}
DUES = {"code": "dues", "basis": "per_period", "rate": 5}
NOT_A_WEEKDAY = "is not a weekday (1 = Monday … 7, or 'mon' … 'sun')"
ONE_TO_28 = "must be a whole number from 1 to 28"


def refusal(call, *args, **kwargs):
    """(class name, message, details) of the error ``call`` raises."""
    with pytest.raises(TimebankError) as caught:
        call(*args, **kwargs)
    return type(caught.value).__name__, str(caught.value), caught.value.details


def multiplier(**table):
    return {"multipliers": [{"factor": 2, **table}]}


# -- one rule built in Python ------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "field", "problem"), [
    ({"colour": "red"}, "colour", "unknown field"),
    ({"unit": "hours"}, "unit", "'hours' is not one of points, minutes"),
    ({"basis": "hourly"}, "basis",
     "'hourly' is not one of per_hour, per_item, per_occurrence, per_period"),
    ({"rate": None}, "rate", "is required"),
    ({"rate": -2}, "rate", "must be ≥ 0, got -2"),
    ({"rate": -0.5}, "rate", "must be ≥ 0, got -0.5"),
    ({"rate": "-1/3"}, "rate", "must be ≥ 0, got -1/3"),
    ({"rate": True}, "rate", "must be a number, got True"),
    ({"rate": "lots"}, "rate", "must be a number, got 'lots'"),
    ({"rate": "1/0"}, "rate", "must be a number, got '1/0'"),
    ({"rate": [3]}, "rate", "must be a number, got [3]"),
    ({"rate": Decimal("1.5")}, "rate", "must be a number, got Decimal('1.5')"),
    ({"name_zh": " "}, "name_zh", "must be non-empty text of at most 200 characters"),
    ({"name_zh": "扫" * 201}, "name_zh", "must be non-empty text of at most 200 characters"),
    ({"name_en": 5}, "name_en", "must be non-empty text of at most 200 characters"),
    ({"effective_from": "soon"}, "effective_from",
     "must be a date like 2024-01-01, got 'soon'"),
    ({"effective_from": datetime(2024, 1, 1, 8)}, "effective_from",
     "must be a date like 2024-01-01, got datetime.datetime(2024, 1, 1, 8, 0)"),
    ({"round_to": 0}, "round_to", "must be > 0, got 0"),
    ({"rounding": "half"}, "rounding", "'half' is not one of down, nearest, up"),
    ({"min_quantity": -1}, "min_quantity", "must be ≥ 0, got -1"),
    ({"max_quantity": 0}, "max_quantity", "must be > 0, got 0"),
    ({"min_quantity": 3, "max_quantity": 2}, "min_quantity", "is above max_quantity (2)"),
    ({"min_quantity": 3, "max_quantity": 2.5}, "min_quantity", "is above max_quantity (5/2)"),
    ({"caps": 5}, "caps", "must be a table"),
    ({"caps": {"fortnight": 5}}, "caps.fortnight", "caps are per day, week, month, year"),
    ({"caps": {"day": 0}}, "caps.day", "must be a whole number from 1 to 1000000000000"),
    ({"caps": {"week": 10**12 + 1}}, "caps.week",
     "must be a whole number from 1 to 1000000000000"),
    ({"caps": {"day": 2}}, "caps.day",
     "cap 2 is below the rate 3: one unit of the activity could never be credited in full"),
    ({"rate": 2.5, "caps": {"month": 2}}, "caps.month",
     "cap 2 is below the rate 2.5: one unit of the activity could never be credited in full"),
    ({"multipliers": {"factor": 2}}, "multipliers", "must be a list"),
    ({"multipliers": [5]}, "multipliers[0]", "must be a table"),
    (multiplier(days=[1]), "multipliers[0].days", "unknown field"),
    ({"multipliers": [{"tags": ["x"]}]}, "multipliers[0].factor", "is required"),
    (multiplier(factor=0), "multipliers[0].factor", "must be > 0, got 0"),
    ({"multipliers": [{"factor": 2}, {"factor": 2, "weekdays": [8]}]},
     "multipliers[1].weekdays", f"8 {NOT_A_WEEKDAY}"),
    (multiplier(weekdays=[0]), "multipliers[0].weekdays", f"0 {NOT_A_WEEKDAY}"),
    (multiplier(weekdays=[True]), "multipliers[0].weekdays", f"True {NOT_A_WEEKDAY}"),
    (multiplier(weekdays=["funday"]), "multipliers[0].weekdays", f"'funday' {NOT_A_WEEKDAY}"),
    (multiplier(weekdays=5), "multipliers[0].weekdays", "must be a list"),
    (multiplier(dates="2024"), "multipliers[0].dates", "must be a list"),
    (multiplier(dates=[["2024-02-10"]]), "multipliers[0].dates",
     "each range is [first_day, last_day]"),
    (multiplier(dates=["2024-02-10"]), "multipliers[0].dates",
     "each range is [first_day, last_day]"),
    (multiplier(dates=[[None, "2024-02-10"]]), "multipliers[0].dates",
     "each range is [first_day, last_day]"),
    (multiplier(dates=[["x", "2024-02-10"]]), "multipliers[0].dates",
     "must be a date like 2024-01-01, got 'x'"),
    (multiplier(dates=[["2024-02-10", "y"]]), "multipliers[0].dates",
     "must be a date like 2024-01-01, got 'y'"),
    (multiplier(dates=[["2024-02-17", "2024-02-10"]]), "multipliers[0].dates",
     "range ends before it starts: ['2024-02-17', '2024-02-10']"),
    (multiplier(tags=[" "]), "multipliers[0].tags", "must be a list of names"),
    (multiplier(roles=[1]), "multipliers[0].roles", "must be a list of names"),
    ({"eligible_roles": ["resident", ""]}, "eligible_roles", "must be a list of names"),
    ({"eligible_roles": "resident"}, "eligible_roles", "must be a list"),
    ({"ineligible_tags": [None]}, "ineligible_tags", "must be a list of names"),
    ({"approval": "yes"}, "approval", "must be true or false"),
    ({"service": 1}, "service", "must be true or false"),
    ({"basis": "per_item", "service": True}, "service",
     "volunteer service is counted in hours: only for per_hour rules"),
    ({"streak": 5}, "streak", "must be a table"),
    ({"streak": {"every": 2, "bonus": 1, "weeks": 3}}, "streak.weeks", "unknown field"),
    ({"streak": {"every": 2}}, "streak", "needs 'every' (weeks) and 'bonus' (points)"),
    ({"streak": {"bonus": 2}}, "streak", "needs 'every' (weeks) and 'bonus' (points)"),
    ({"streak": {"every": 0, "bonus": 1}}, "streak.every",
     "must be a whole number from 1 to 10000"),
    ({"streak": {"every": 10_001, "bonus": 1}}, "streak.every",
     "must be a whole number from 1 to 10000"),
    ({"streak": {"every": 1, "bonus": 10**9 + 1}}, "streak.bonus",
     "must be a whole number from 1 to 1000000000"),
    ({"caps": {"week": 10}, "streak": {"every": 1, "bonus": 11}}, "streak.bonus",
     "is above a cap of the rule"),
    ({"min_attendance": -0.5}, "min_attendance", "must be ≥ 0, got -0.5"),
    ({"min_attendance": 0}, "min_attendance", "a share between 0 and 1, e.g. 0.6"),
    ({"min_attendance": 1.5}, "min_attendance", "a share between 0 and 1, e.g. 0.6"),
    ({"basis": "per_item", "min_attendance": 0.5}, "min_attendance", "only for per_hour rules"),
    ({"basis": "per_period", "period": "day"}, "period", "'day' is not one of week, month, year"),
    ({**DUES, "due_day": 0}, "due_day", ONE_TO_28),
    ({**DUES, "due_day": 29}, "due_day", ONE_TO_28),
    ({**DUES, "due_day": True}, "due_day", ONE_TO_28),
    ({**DUES, "due_day": 1.5}, "due_day", ONE_TO_28),
    ({"due_day": 5}, "due_day", "only for per_period rules with period = 'month'"),
    ({**DUES, "period": "year", "due_day": 5}, "due_day",
     "only for per_period rules with period = 'month'"),
    ({"late_rate": -1}, "late_rate", "must be ≥ 0, got -1"),
    ({"usual_max": 0}, "usual_max", "must be > 0, got 0"),
])
def test_a_bad_rule_field_is_refused_naming_the_rule_and_the_field(fields, field, problem):
    code = fields.get("code", "snow")
    assert refusal(rulebook.rule, **{**SNOW, **fields}) == (
        "RulebookError", f"<python>: rule '{code}': {field}: {problem}",
        {"field": field, "file": "<python>", "rule": f"rule '{code}'"})


@pytest.mark.parametrize(("code", "label"), [("Snow", "'Snow'"), ("", "''"), (5, "5"),
                                             ("a" * 65, repr("a" * 65))])
def test_a_rule_code_is_lowercase_letters_digits_and_a_few_marks(code, label):
    assert refusal(rulebook.rule, **{**SNOW, "code": code}, origin="PUT /rules") == (
        "RulebookError",
        f"PUT /rules: rule {label}: code: a lowercase code of letters, digits, '_', '-' or '.'",
        {"field": "code", "file": "PUT /rules", "rule": f"rule {label}"})


def test_a_rule_of_code_rate_and_basis_takes_every_default():
    assert rulebook.rule(**SNOW) == Rule("snow", "snow", "snow", "points", "per_hour",
                                         Fraction(3))
    assert rulebook.rule(**DUES).late_rate == Fraction(0)


def test_every_bound_reached_exactly_is_allowed():
    built = rulebook.rule(
        code="a" * 64, name_zh="扫" * 200, name_en="Snow", unit="minutes", basis="per_hour",
        rate=3, effective_from=date(2024, 1, 1), round_to=0.5, rounding="up", min_quantity=2,
        max_quantity=2, caps={"day": 3, "week": 10**12}, approval=True, min_attendance=1,
        multipliers=[{"factor": 0.5, "weekdays": ["Monday", "sun", 7, 1],
                      "dates": [["2024-02-10", "2024-02-10"]], "tags": ["blizzard"],
                      "roles": ["elder"]}],
        eligible_roles=["volunteer"], ineligible_tags=["under_discipline"],
        streak={"every": 10_000, "bonus": 3}, late_rate=1, usual_max=4)
    assert built == Rule(
        "a" * 64, "扫" * 200, "Snow", "minutes", "per_hour", Fraction(3), date(2024, 1, 1),
        Fraction(1, 2), "up", Fraction(2), Fraction(2), Caps(day=3, week=10**12),
        (Multiplier(Fraction(1, 2), (1, 7, 7, 1), ((date(2024, 2, 10), date(2024, 2, 10)),),
                    ("blizzard",), ("elder",)),),
        ("volunteer",), ("under_discipline",), True, Streak(10_000, 3), Fraction(1),
        late_rate=Fraction(1), usual_max=Fraction(4))


@pytest.mark.parametrize(("fields", "name", "value"), [
    ({**DUES, "due_day": 1}, "due_day", 1), ({**DUES, "due_day": 28}, "due_day", 28),
    ({**DUES, "period": "week"}, "period", "week"),
    ({"streak": {"every": 1, "bonus": 10**9}}, "streak", Streak(1, 10**9)),
    ({"rate": Fraction(1, 3)}, "rate", Fraction(1, 3))])
def test_values_at_the_edges_are_read_as_given(fields, name, value):
    assert getattr(rulebook.rule(**{**SNOW, **fields}), name) == value


def test_a_rule_turns_into_plain_data_with_only_what_it_sets():
    built = rulebook.rule(
        code="snow", basis="per_hour", rate="1/3", late_rate=0.5, round_to=0.5, due_day=None,
        multipliers=[{"factor": 2, "weekdays": [6, 7], "dates": [["2024-02-10", "2024-02-17"]],
                      "tags": ["blizzard"], "roles": ["elder"]}, {"factor": 1.5}],
        streak={"every": 4, "bonus": 1}, effective_from="2024-01-01", caps={"day": 8})
    assert rulebook.to_dict(built) == {
        "code": "snow", "name_zh": "snow", "name_en": "snow", "unit": "points",
        "basis": "per_hour", "rate": "1/3", "rounding": "down", "approval": False,
        "eligible_roles": [], "ineligible_tags": [], "period": "month", "late_rate": 0.5,
        "caps": {"day": 8},
        "multipliers": [{"factor": 2, "weekdays": [6, 7], "dates": [["2024-02-10", "2024-02-17"]],
                         "tags": ["blizzard"], "roles": ["elder"]}, {"factor": 1.5}],
        "round_to": 0.5, "effective_from": "2024-01-01", "streak": {"every": 4, "bonus": 1}}
    assert rulebook.to_dict(rulebook.rule(**DUES, due_day=10))["due_day"] == 10
    assert rulebook.to_dict(rulebook.rule(**SNOW, service=True))["service"] is True


# -- a rulebook from data, text and files ----------------------------------------------------------

RULES = {"rules": [SNOW]}


def book_refusal(data, origin="book.toml"):
    return refusal(rulebook.from_dict, data, origin=origin)


def test_an_unknown_top_level_key_is_refused_with_the_tables_there_are_in_order():
    kind, message, details = book_refusal({**RULES, "rulez": 1})
    head, listed = message.split("; expected one of ")
    assert (kind, head, details) == ("RulebookError", "book.toml: rulez: unknown table or key",
                                     {"field": "rulez", "file": "book.toml", "rule": None})
    names = listed.split(", ")
    assert names == sorted(names)
    assert {"community", "expiry", "rulebook", "rules", "tiers", "transfers"} <= set(names)


@pytest.mark.parametrize(("data", "field", "problem"), [
    ({**RULES, "rulebook": 5}, "rulebook", "must be a table"),
    ({**RULES, "rulebook": {"effective_from": "soon"}}, "rulebook.effective_from",
     "must be a date like 2024-01-01, got 'soon'"),
    ({}, "rules", "a rulebook needs at least one [[rules]] table"),
    ({"rules": []}, "rules", "a rulebook needs at least one [[rules]] table"),
    ({"rules": SNOW}, "rules", "a rulebook needs at least one [[rules]] table"),
    ({**RULES, "community": 5}, "community", "must be a table"),
    ({**RULES, "community": {"allow_self_approval": "no"}}, "community.allow_self_approval",
     "must be true or false"),
    ({**RULES, "tiers": 5}, "tiers", "must be a table"),
    ({**RULES, "expiry": []}, "expiry", "must be a table"),
])
def test_a_bad_rulebook_is_refused_naming_the_file_and_the_field(data, field, problem):
    assert book_refusal(data) == ("RulebookError", f"book.toml: {field}: {problem}",
                                  {"field": field, "file": "book.toml", "rule": None})


def test_a_rule_that_is_not_a_table_is_named_by_its_position():
    assert book_refusal({"rules": [SNOW, 5]}) == (
        "RulebookError", "book.toml: rules[1]: rules: must be a table",
        {"field": "rules", "file": "book.toml", "rule": "rules[1]"})


def test_a_bad_rule_in_a_book_is_named_by_code_and_position():
    assert book_refusal({"rules": [SNOW, {**DUES, "rate": -1}]}) == (
        "RulebookError", "book.toml: rule 'dues' (rules[1]): rate: must be ≥ 0, got -1",
        {"field": "rate", "file": "book.toml", "rule": "rule 'dues' (rules[1])"})


def test_a_code_used_twice_names_the_first_use():
    assert book_refusal({"rules": [DUES, SNOW, {**SNOW, "rate": 4}]}) == (
        "RulebookError",
        "book.toml: rule 'snow' (rules[2]): code: duplicate code, already used by rules[1]",
        {"field": "code", "file": "book.toml", "rule": "rule 'snow' (rules[2])"})


def test_a_policy_table_is_checked_by_its_feature_under_the_file_name():
    assert book_refusal({**RULES, "expiry": {"policy": "weekly"}})[1] == (
        "book.toml: [expiry]: policy must be one of never, months, yearly_reset, got 'weekly'")


def test_a_rulebook_without_a_name_or_origin_takes_the_defaults():
    book = rulebook.from_dict({"rules": [SNOW, DUES], "rulebook": {"effective_from": "2024-01-01"},
                               "transfers": {"units": ["minutes"]}})
    assert (book.name, [r.effective_from for r in book.rules]) == (
        "rulebook", [date(2024, 1, 1)] * 2)
    assert (book.get("dues"), book.get("nope")) == (book.rules[1], None)
    assert (book.policies, book.community) == ({"transfers": {"units": ["minutes"]}}, {})
    assert refusal(rulebook.from_dict, {})[1].startswith("<rulebook>: rules: ")
    assert rulebook.loads('[[rules]]\ncode = "snow"\nbasis = "per_hour"\nrate = 3\n').name == \
        "rulebook"
    assert refusal(rulebook.loads, "rate = ")[1].startswith("<rulebook>: not valid TOML: ")


def test_text_that_is_not_toml_is_refused_naming_the_file():
    kind, message, details = refusal(rulebook.loads, "[[rules]\n", origin="book.toml")
    assert (kind, details) == ("RulebookError", {"field": "rulebook", "file": "book.toml"})
    assert message.startswith("book.toml: not valid TOML: ")


def test_a_file_takes_its_name_from_the_file_with_or_without_an_extension(tmp_path):
    text = '[[rules]]\ncode = "snow"\nbasis = "per_hour"\nrate = 3\nname_zh = "扫雪"\n'
    (tmp_path / "west_gate.toml").write_text(text, encoding="utf-8")
    (tmp_path / "east_gate").write_text(text, encoding="utf-8")
    assert rulebook.load(tmp_path / "west_gate.toml").name == "west_gate"
    assert rulebook.load(str(tmp_path / "east_gate")).get("snow").name_zh == "扫雪"
    (tmp_path / "bad.toml").write_text("[[rules]]\ncode = 5\n", encoding="utf-8")
    assert refusal(rulebook.load, tmp_path / "bad.toml")[2]["file"] == "bad.toml"


def test_a_file_that_cannot_be_read_is_reported_by_the_name_given(tmp_path):
    missing = tmp_path / "nowhere.toml"
    assert refusal(rulebook.load, missing) == (
        "RulebookError", f"{missing}: cannot read the rulebook (No such file or directory)",
        {"field": "rulebook", "file": str(missing)})
    assert refusal(rulebook.load, "no_such_book")[1] == (
        "no_such_book: cannot read the rulebook (No such file or directory)")


def test_the_shipped_rulebooks_are_listed_by_name():
    assert {"party_member", "red_vest", "time_bank"} <= set(rulebook.shipped())
    assert rulebook.shipped() == sorted(rulebook.shipped())
