"""Worked examples that pin down ``timebank.domain.dues`` line by line (what ``make mutate``
found the other tests let through): every item of a batch is looked at, whatever the
items before it were; the refusal's words and details; each problem of the table."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from timebank.domain import dues, rulebook
from timebank.domain.contributions import Resolved
from timebank.domain.rules import Claim
from timebank.errors import NotEligible, RulebookError

DUES = rulebook.rule(code="dues", basis="per_period", rate=1, due_day=10,
                     eligible_roles=["party_member"], effective_from=date(2025, 1, 1))
FEE = rulebook.rule(code="fee", basis="per_period", rate=1)
SHIFT = rulebook.rule(code="shift", basis="per_hour", rate=1, requires_dues=True)
OPEN = rulebook.rule(code="open", basis="per_hour", rate=1)
VERSIONS = {"dues": [(1, DUES)], "fee": [(4, FEE)], "shift": [(2, SHIFT)],
            "open": [(3, OPEN)]}
POLICY = dues.DuesPolicy("dues", 2, date(2025, 1, 1))
PARTY = ("party_member",)
LATE = date(2025, 3, 20)  # January, February and March are due


def item(index, rule, day=LATE, *, member=1, roles=PARTY, period=None):
    start = date.fromisoformat(period + "-01") if period else None
    return Resolved(index, f"m{member}", member, roles, 1, rule,
                    Claim(60, day, (), None, start),
                    datetime(day.year, day.month, day.day, tzinfo=UTC), None, period, "")


@pytest.mark.parametrize("first", [
    item(0, OPEN),                                        # a rule that asks nothing
    item(0, DUES, member=2, period="2025-01"),            # another member's payment
    item(0, SHIFT, date(2024, 12, 20)),                   # before the dues rule existed
    item(0, SHIFT, roles=("resident",), member=3),        # a member who owes nothing
])
def test_an_item_after_one_that_is_let_through_is_still_checked(first):
    with pytest.raises(NotEligible):
        dues.check(POLICY, [first, item(1, SHIFT)], VERSIONS, {})


def test_a_member_with_nothing_paid_at_all_is_refused_not_crashed():
    with pytest.raises(NotEligible) as err:
        dues.check(POLICY, [item(0, SHIFT)], VERSIONS, {2: {"2025-01"}})
    assert err.value.details == {"field": "member", "rule": "shift", "dues": "dues",
                                 "unpaid": ["2025-01", "2025-02", "2025-03"]}


def test_a_payment_under_another_per_period_rule_pays_no_dues():
    with pytest.raises(NotEligible):
        dues.check(POLICY, [item(0, FEE, period="2025-02"), item(1, SHIFT)], VERSIONS,
                   {1: {"2025-01"}})


def test_the_refusal_says_who_what_how_many_and_the_limit_in_words():
    with pytest.raises(NotEligible) as err:
        dues.check(POLICY, [item(0, SHIFT)], VERSIONS, {1: {"2025-02"}})
    assert err.value.render("en") == (
        "member 'm1' may not earn from rule 'shift': 2 periods of 'dues' are unpaid "
        "(2025-01, 2025-03); with 2 or more unpaid a member is not eligible")


BOOK = """
[community.dues]
rule = "dues"
unpaid_periods = 2

[[rules]]
code = "dues"
basis = "per_period"
rate = 1

[[rules]]
code = "weekly"
basis = "per_period"
period = "week"
rate = 1

[[rules]]
code = "item"
basis = "per_item"
rate = 1
"""


def refusal(text):
    with pytest.raises(RulebookError) as err:
        rulebook.loads(text, origin="book.toml")
    return err.value


@pytest.mark.parametrize(("change", "field", "message"), [
    (('rule = "dues"\n', 'rule = "weekly"\n'), "community.dues.rule",
     "book.toml: community.dues.rule: rule 'weekly' is not paid per month "
     "(basis = 'per_period', period = 'month')"),
    (('rule = "dues"\n', 'rule = "item"\n'), "community.dues.rule",
     "book.toml: community.dues.rule: rule 'item' is not paid per month "
     "(basis = 'per_period', period = 'month')"),
    (('rule = "dues"\n', 'rule = 7\n'), "community.dues.rule",
     "book.toml: community.dues.rule: 7 is not a rule of this rulebook"),
    (('unpaid_periods = 2', 'unpaid_periods = 2\nkind = 1'), "community.dues.kind",
     "book.toml: community.dues.kind: unknown key; expected one of rule, "
     "unpaid_periods, since"),
    (('unpaid_periods = 2', 'unpaid_periods = 121'), "community.dues.unpaid_periods",
     "book.toml: community.dues.unpaid_periods: a whole number from 1 to 120 (with this "
     "many unpaid periods or more a member is not eligible)"),
    (('unpaid_periods = 2', 'unpaid_periods = 2\nsince = 2025-01-01T08:00:00'),
     "community.dues.since",
     "book.toml: community.dues.since: must be a date like 2026-01-01, got "
     "datetime.datetime(2025, 1, 1, 8, 0)"),
    (('[community.dues]\nrule = "dues"\nunpaid_periods = 2\n', '[community]\ndues = 3\n'),
     "community.dues", "book.toml: community.dues must be a table"),
])
def test_each_problem_of_the_dues_table_is_said_naming_the_file_and_the_field(
        change, field, message):
    err = refusal(BOOK.replace(*change))
    assert err.details["field"] == field and err.details["file"] == "book.toml"
    assert err.message == message


@pytest.mark.parametrize("limit", [1, 120])
def test_the_limit_may_be_from_one_to_a_hundred_and_twenty(limit):
    book = rulebook.loads(BOOK.replace("unpaid_periods = 2", f"unpaid_periods = {limit}"))
    assert book.community["dues"]["unpaid_periods"] == limit


def test_since_may_be_given_as_text_and_counts_from_its_month():
    book = rulebook.loads(BOOK.replace("unpaid_periods = 2",
                                       'unpaid_periods = 2\nsince = "2025-03-18"'))
    assert book.community["dues"]["since"] == "2025-03-01"


def test_a_dues_rule_that_itself_requires_dues_is_said_by_name():
    text = BOOK.replace('code = "dues"\nbasis = "per_period"\nrate = 1\n',
                        'code = "dues"\nbasis = "per_period"\nrate = 1\nrequires_dues = true\n')
    assert refusal(text).message == ("book.toml: community.dues.rule: rule 'dues' cannot "
                                     "itself require dues paid")


def test_a_rule_named_by_a_list_is_no_rule_of_the_book():
    assert refusal(BOOK.replace('rule = "dues"\n', 'rule = ["dues"]\n')).message == \
        "book.toml: community.dues.rule: ['dues'] is not a rule of this rulebook"
