"""Gift terms as worked examples: the window a gift is offered in, both ends included."""

from datetime import date

import pytest

from timebank.domain.gifts import GiftTerms
from timebank.errors import TimebankError


def refusal(call, *args, **kwargs):
    """(class name, message, details) of the error ``call`` raises."""
    with pytest.raises(TimebankError) as caught:
        call(*args, **kwargs)
    return type(caught.value).__name__, str(caught.value), caught.value.details


def terms(active_from=None, active_until=None):
    return GiftTerms(3, "rice", 40, "points", active_from, active_until, None, None,
                     "month", ())


def test_a_gift_with_no_window_is_offered_on_any_day():
    assert terms().check_offered(date(1999, 1, 1)) is None
    assert terms().check_offered(date(2099, 12, 31)) is None


def test_a_gift_is_offered_from_its_first_day_not_the_day_before():
    gift = terms(active_from=date(2026, 3, 1))
    assert gift.check_offered(date(2026, 3, 1)) is None
    assert gift.check_offered(date(2030, 1, 1)) is None
    assert refusal(gift.check_offered, date(2026, 2, 28)) == (
        "InvalidState", "gift 'rice' is not offered on 2026-02-28",
        {"field": "gift", "gift": "rice"})


def test_a_gift_is_offered_until_its_last_day_not_the_day_after():
    gift = terms(active_until=date(2026, 3, 31))
    assert gift.check_offered(date(2026, 3, 31)) is None
    assert gift.check_offered(date(2020, 1, 1)) is None
    assert refusal(gift.check_offered, date(2026, 4, 1)) == (
        "InvalidState", "gift 'rice' is not offered on 2026-04-01",
        {"field": "gift", "gift": "rice"})


def test_a_gift_with_both_ends_is_offered_only_between_them():
    gift = terms(date(2026, 3, 1), date(2026, 3, 31))
    assert gift.check_offered(date(2026, 3, 15)) is None
    assert refusal(gift.check_offered, date(2026, 2, 1))[1] == \
        "gift 'rice' is not offered on 2026-02-01"
    assert refusal(gift.check_offered, date(2026, 5, 1))[1] == \
        "gift 'rice' is not offered on 2026-05-01"
