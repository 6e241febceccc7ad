"""Names posted on the notice board are masked."""

import pytest

from timebank.domain.masking import mask_name


@pytest.mark.parametrize(("name", "masked"), [
    ("张三明", "张*明"),
    ("王五", "王*"),
    ("李", "李*"),
    ("欧阳小明", "欧阳*明"),
    ("欧阳明", "欧*明"),
    ("司马相如", "司马*如"),
    ("爱新觉罗溥仪", "爱****仪"),
    ("张 三明", "张*明"),
])
def test_a_chinese_name_keeps_its_family_name_and_last_character(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(("name", "masked"), [
    ("Li Wei", "L* W**"),
    ("Mary-Jane Smith", "M***-J*** S****"),
    ("Bo", "B*"),
    ("X", "X*"),
    ("  Anne   Lee ", "A*** L**"),
])
def test_a_latin_name_keeps_the_initial_of_each_word(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize("name", ["", "   ", None])
def test_an_empty_name_masks_to_a_single_star(name):
    assert mask_name(name) == "*"


def test_a_masked_name_never_contains_the_hidden_characters():
    masked = mask_name("张小明明")
    assert masked == "张**明"
    assert "小" not in masked
