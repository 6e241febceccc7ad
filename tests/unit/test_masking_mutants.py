"""Masked names in the corners: characters without a Unicode name, compatibility
ideographs, and hyphens at the edge of a word."""

import pytest

from timebank.domain.masking import mask_name

RARE = "\ue000"  # a rare character typed from a private-use font: it has no Unicode name
COMPAT_KIM = "\uf90a"  # 金 as a CJK COMPATIBILITY IDEOGRAPH (from a Korean encoding)


def test_a_rare_family_name_outside_unicode_is_kept_and_the_name_still_masked():
    assert mask_name(f"{RARE}三明") == f"{RARE}*明"


def test_a_latin_name_with_a_character_without_a_name_is_masked_as_a_word():
    assert mask_name(f"Li{RARE}") == "L**"


def test_compatibility_ideographs_are_masked_as_chinese():
    assert mask_name(f"{COMPAT_KIM} {COMPAT_KIM}{COMPAT_KIM}") == f"{COMPAT_KIM}*{COMPAT_KIM}"


@pytest.mark.parametrize(("name", "masked"), [
    ("-Li", "-**"),
    ("Li-", "L**"),
    ("X-Y", "X-Y"),
    ("Jean-Luc-Yves", "J***-L**-Y***"),
])
def test_a_hyphen_splits_a_word_only_between_letters(name, masked):
    assert mask_name(name) == masked
