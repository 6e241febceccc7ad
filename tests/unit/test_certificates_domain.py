"""Service flags, certificate numbers and digests: pure rules, no database."""

from __future__ import annotations

from datetime import date

import pytest

from timebank.domain import rulebook
from timebank.domain.certificates import Counted, digest, number_of, parse_number
from timebank.errors import RulebookError, UnknownCertificate


def test_only_rules_counting_hours_can_be_volunteer_service():
    assert rulebook.rule(code="patrol", basis="per_hour", rate=1, service=True).service
    with pytest.raises(RulebookError, match="service"):
        rulebook.rule(code="dues", basis="per_period", rate=1, service=True)


def test_the_flag_is_written_only_when_set_so_older_definitions_still_compare_equal():
    plain = rulebook.rule(code="patrol", basis="per_hour", rate=1)
    assert "service" not in rulebook.to_dict(plain)
    flagged = rulebook.rule(code="patrol", basis="per_hour", rate=1, service=True)
    assert rulebook.rule(**rulebook.to_dict(flagged)).service


def test_a_number_names_its_community_even_one_with_dashes():
    assert parse_number(number_of("bj-cy-01", 2026, 12)) == ("bj-cy-01", 2026, 12)
    with pytest.raises(UnknownCertificate):
        parse_number("2026-00012")


def test_the_digest_changes_when_a_counted_record_is_reversed_whatever_the_order():
    one = Counted("contribution", 1, date(2025, 3, 1), "patrol", 150, "approved", "ab")
    two = Counted("honour", 7, date(2025, 3, 1), "patrol", 60, "approved")
    period = (date(2025, 3, 1), date(2025, 3, 31))
    seal = digest("cc", "cc-2026-00001", "m1", period, [one, two])
    assert seal == digest("cc", "cc-2026-00001", "m1", period, [two, one])
    reversed_ = Counted("contribution", 1, date(2025, 3, 1), "patrol", 150, "reversed", "ab")
    assert seal != digest("cc", "cc-2026-00001", "m1", period, [reversed_, two])
