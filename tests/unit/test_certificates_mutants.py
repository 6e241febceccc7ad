"""Certificates as worked examples: the digest's canonical text, numbers, the period a
certificate may cover, and who signs it."""

import hashlib
from datetime import date

import pytest

from timebank.domain.certificates import (
    ISSUER_KEYS,
    Counted,
    Issuer,
    check_issuer,
    check_period,
    digest,
    issuer_of,
    number_of,
    parse_number,
    unknown,
)
from timebank.errors import TimebankError


def refusal(call, *args, **kwargs):
    """(class name, message, details) of the error ``call`` raises."""
    with pytest.raises(TimebankError) as caught:
        call(*args, **kwargs)
    return type(caught.value).__name__, str(caught.value), caught.value.details


# -- the digest -------------------------------------------------------------------------


def test_the_digest_is_the_sha256_of_a_compact_sorted_json_text():
    honour = Counted("honour", 7, date(2025, 3, 1), "patrol", 60, "approved")
    service = Counted("contribution", 1, date(2025, 3, 2), "巡逻", 150, "approved", "ab")
    text = ('{"community":"cc","from":"2025-03-01","items":['
            '["contribution",1,"2025-03-02","巡逻",150,"approved","ab"],'
            '["honour",7,"2025-03-01","patrol",60,"approved",""]],'
            '"member":"李明","number":"cc-2026-00001","to":"2025-03-31"}')
    expected = hashlib.sha256(text.encode("utf-8")).hexdigest()
    period = (date(2025, 3, 1), date(2025, 3, 31))
    assert digest("cc", "cc-2026-00001", "李明", period, [honour, service]) == expected
    assert digest("cc", "cc-2026-00001", "李明", period, iter([service, honour])) == expected


def test_the_digest_of_no_records_still_binds_the_certificate():
    text = ('{"community":"cc","from":"2025-01-01","items":[],"member":"m1",'
            '"number":"cc-2026-00002","to":"2025-12-31"}')
    assert digest("cc", "cc-2026-00002", "m1", (date(2025, 1, 1), date(2025, 12, 31)),
                  []) == hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- numbers ----------------------------------------------------------------------------


def test_a_number_pads_the_year_to_four_digits_and_the_sequence_to_five():
    assert number_of("sjhy", 2026, 12) == "sjhy-2026-00012"
    assert number_of("sjhy", 26, 123456) == "sjhy-0026-123456"


def test_a_number_is_read_back_into_community_year_and_sequence():
    assert parse_number("sjhy-2026-00012") == ("sjhy", 2026, 12)
    assert parse_number("a-b-2025-123456789") == ("a-b", 2025, 123456789)


@pytest.mark.parametrize("number", [
    "", "sjhy-2026-0012", "sjhy-26-00012", "sjhy-2026-1234567890", "-2026-00012",
    "sjhy-2026-00012x"])
def test_anything_but_a_number_is_an_unknown_certificate(number):
    assert refusal(parse_number, number) == (
        "UnknownCertificate", f"no certificate numbered {number!r}", {"field": "number"})


def test_an_unknown_number_is_quoted_up_to_100_characters():
    error = unknown("9" * 150)
    assert (type(error).__name__, str(error), error.details) == (
        "UnknownCertificate", f"no certificate numbered '{'9' * 100}'", {"field": "number"})


# -- the period -------------------------------------------------------------------------


def test_a_period_of_one_day_ending_today_is_allowed():
    assert check_period(date(2026, 3, 7), date(2026, 3, 7), date(2026, 3, 7)) is None
    assert check_period(date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 7)) is None


def test_a_period_ending_before_it_starts_is_refused():
    assert refusal(check_period, date(2026, 3, 7), date(2026, 3, 6), date(2026, 3, 7)) == (
        "ValidationError", "the period ends before it starts", {"field": "to"})


def test_a_period_ending_after_today_is_refused():
    assert refusal(check_period, date(2026, 3, 1), date(2026, 3, 8), date(2026, 3, 7)) == (
        "ValidationError", "the period ends in the future (2026-03-08); a certificate "
        "proves service already done", {"field": "to"})


# -- the issuer -------------------------------------------------------------------------


def test_the_issuer_keys_are_the_four_groups_of_the_signature():
    assert ISSUER_KEYS == ("name", "person_in_charge", "handler", "contact")


def test_the_issuer_is_read_from_the_settings():
    settings = {"issuer": {"name": "社区服务站", "person_in_charge": "王", "handler": "李",
                           "contact": 12345}}
    assert issuer_of(settings, "Sunshine", "clerk") == Issuer("社区服务站", "王", "李", "12345")


def test_the_community_name_and_the_person_issuing_stand_in_for_what_is_not_set():
    assert issuer_of({}, "Sunshine", "clerk") == Issuer("Sunshine", "", "clerk", "")
    assert issuer_of({"issuer": None}, "Sunshine", "clerk") == Issuer("Sunshine", "", "clerk", "")
    assert issuer_of({"issuer": "x"}, "Sunshine", "clerk") == Issuer("Sunshine", "", "clerk", "")
    partial = {"issuer": {"name": "", "contact": None, "person_in_charge": "王"}}
    assert issuer_of(partial, "Sunshine", "clerk") == Issuer("Sunshine", "王", "clerk", "")


def test_issuer_values_are_cut_to_200_characters():
    settings = {"issuer": {k: "长" * 250 for k in ISSUER_KEYS}}
    assert issuer_of(settings, "Sunshine", "clerk") == Issuer(*["长" * 200] * 4)


def test_an_issuer_table_of_known_text_values_is_accepted():
    assert check_issuer({}, "r.toml") is None
    assert check_issuer({k: "x" * 200 for k in ISSUER_KEYS}, "r.toml") is None


def test_an_issuer_that_is_not_a_table_is_refused():
    assert refusal(check_issuer, "x", "r.toml") == (
        "RulebookError", "r.toml: community.issuer must be a table",
        {"field": "community.issuer"})


def test_an_unknown_issuer_key_is_refused_naming_the_known_ones():
    assert refusal(check_issuer, {"name": "x", "phone": "1"}, "r.toml") == (
        "RulebookError", "r.toml: community.issuer.phone: unknown key; expected one of "
        "name, person_in_charge, handler, contact", {"field": "community.issuer.phone"})


@pytest.mark.parametrize("text", [7, None, "x" * 201])
def test_an_issuer_value_must_be_text_of_at_most_200_characters(text):
    assert refusal(check_issuer, {"name": "ok", "contact": text}, "r.toml") == (
        "RulebookError", "r.toml: community.issuer.contact: text of at most 200 characters",
        {"field": "community.issuer.contact"})
