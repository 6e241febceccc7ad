"""Redemptions as worked examples: a state change starts from one status, the answer it
gives, and how long a hold lasts."""

import pytest

from timebank.domain.community import CommunityRef
from timebank.domain.redemptions import (
    DEFAULT_HOLD_MINUTES,
    Redemption,
    RedemptionItem,
    StoredRedemption,
    hold_minutes,
)
from timebank.errors import TimebankError


def refusal(call, *args, **kwargs):
    """(class name, message, details) of the error ``call`` raises."""
    with pytest.raises(TimebankError) as caught:
        call(*args, **kwargs)
    return type(caught.value).__name__, str(caught.value), caught.value.details


STORED = StoredRedemption(7, "held", "m1", "points", 80, 31, None, "sd1", 4)


def test_a_change_from_the_status_the_redemption_is_in_goes_ahead():
    assert STORED.check_status("held") is None


def test_a_change_from_another_status_is_refused_naming_both():
    assert refusal(STORED.check_status, "fulfilled") == (
        "InvalidState", "redemption 7 is held, not fulfilled",
        {"field": "redemption", "state": "held"})


def test_the_answer_after_a_change_repeats_the_stored_redemption_with_its_receipt():
    items = (RedemptionItem("rice", 2, 40, 80),)
    # receipt_code(7): 7 x 0x9E3779B97F mod 2**40, in Crockford base 32.
    assert STORED.after("fulfilled", 120, items) == Redemption(
        7, "fulfilled", 80, "points", 120, "AE2584KS", items, "m1", "sd1")


def community(settings):
    return CommunityRef(1, "sjhy", "Asia/Shanghai", settings)


def test_a_hold_lasts_an_hour_unless_the_settings_say_otherwise():
    assert DEFAULT_HOLD_MINUTES == 60
    assert hold_minutes(community({})) == 60
    assert hold_minutes(community({"redemptions": None})) == 60
    assert hold_minutes(community({"redemptions": {"other": 5}})) == 60
    assert hold_minutes(community({"redemptions": {"hold_minutes": 1}})) == 1
    assert hold_minutes(community({"redemptions": {"hold_minutes": 1440}})) == 1440


@pytest.mark.parametrize("value", [0, -5, True, 1.5, "30", None])
def test_a_hold_length_must_be_a_positive_whole_number(value):
    assert refusal(hold_minutes, community({"redemptions": {"hold_minutes": value}})) == (
        "RulebookError", "community sjhy settings.redemptions: hold_minutes must be a "
        "positive whole number", {"field": "hold_minutes"})
