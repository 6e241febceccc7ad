"""Members and the organisation: the four-level grid, teams, look-ups, PATCH updates."""

from __future__ import annotations

import pytest

from timebank.errors import AlreadyExists, NotFound, UnknownMember, ValidationError


@pytest.fixture
def grid(tb, community):
    tb.units.create(community, "g1", "第一网格", "grid")
    tb.units.create(community, "b1", "1号楼", "building", parent="g1")
    tb.units.create(community, "h101", "101室", "household", parent="b1")
    tb.units.create(community, "g2", "第二网格", "grid")
    tb.units.create(community, "b9", "9号楼", "building", parent="g2")
    tb.units.create(community, "red", "红马甲服务队", "team")
    return community


def test_units_form_the_four_level_grid_with_paths(tb, grid):
    household = tb.units.get(grid, "h101")
    assert household.parent == "b1" and household.path == "/g1/b1/h101/"
    assert [u.code for u in tb.units.list(grid, under="g1")] == ["b1", "h101"]
    assert [u.code for u in tb.units.list(grid, kind="team")] == ["red"]


def test_a_unit_must_hang_from_the_right_kind_of_parent(tb, grid):
    with pytest.raises(ValidationError) as err:
        tb.units.create(grid, "h2", "2室", "household", parent="g1")
    assert err.value.details["field"] == "parent"
    with pytest.raises(ValidationError):
        tb.units.create(grid, "b2", "2号楼", "building")
    with pytest.raises(ValidationError, match="kind"):
        tb.units.create(grid, "x", "x", "planet")


def test_a_unit_code_is_unique_and_a_parent_must_exist(tb, grid):
    with pytest.raises(AlreadyExists):
        tb.units.create(grid, "g1", "again", "grid")
    with pytest.raises(NotFound):
        tb.units.create(grid, "b3", "3号楼", "building", parent="nowhere")


def test_a_member_is_added_with_unit_teams_roles_and_card(tb, grid):
    member = tb.members.add(grid, "p1", "张三", phone="13800000001", card="C001",
                            roles=["resident", "party_member"], unit="h101", teams=["red"])
    assert member.unit == "h101" and member.teams == ("red",)
    assert member.roles == ("resident", "party_member")


def test_members_are_found_by_code_card_and_phone(tb, grid):
    tb.members.add(grid, "p1", "张三", phone="13800000001", card="C001")
    assert tb.members.lookup(grid, card="C001").code == "p1"
    assert tb.members.lookup(grid, phone="13800000001").code == "p1"
    assert tb.members.get(grid, "p1").name == "张三"
    with pytest.raises(UnknownMember):
        tb.members.lookup(grid, card="C999")


def test_a_phone_shared_by_a_household_asks_for_the_card(tb, grid):
    tb.members.add(grid, "p1", "张三", phone="138")
    tb.members.add(grid, "p2", "李四", phone="138")
    with pytest.raises(ValidationError, match="card"):
        tb.members.lookup(grid, phone="138")


def test_a_card_belongs_to_one_member_only(tb, grid):
    tb.members.add(grid, "p1", "张三", card="C001")
    with pytest.raises(AlreadyExists):
        tb.members.add(grid, "p2", "李四", card="C001")
    tb.members.add(grid, "p2", "李四")
    with pytest.raises(AlreadyExists):
        tb.members.update(grid, "p2", card="C001")


def test_listing_by_unit_includes_everything_below_it(tb, grid):
    tb.members.add(grid, "p1", "张三", unit="h101")
    tb.members.add(grid, "p2", "李四", unit="b1")
    tb.members.add(grid, "p3", "王五", unit="b9")
    assert [m.code for m in tb.members.list(grid, unit="g1")] == ["p1", "p2"]
    assert [m.code for m in tb.members.list(grid, unit="h101")] == ["p1"]


def test_listing_by_role_team_and_tag(tb, grid):
    tb.members.add(grid, "p1", "张三", roles=["party_member"], teams=["red"])
    tb.members.add(grid, "p2", "李四", roles=["volunteer"], tags=["low_income"])
    assert [m.code for m in tb.members.list(grid, role="party_member")] == ["p1"]
    assert [m.code for m in tb.members.list(grid, team="red")] == ["p1"]
    assert [m.code for m in tb.members.list(grid, tag="low_income")] == ["p2"]


def test_listing_pages_by_code(tb, community):
    page = tb.members.list(community, limit=2)
    assert [m.code for m in page] == ["m1", "m2"]
    assert [m.code for m in tb.members.list(community, after="m2", limit=2)] == ["m3", "m4"]


def test_an_update_changes_only_the_fields_given(tb, grid):
    tb.members.add(grid, "p1", "张三", phone="138", card="C1", roles=["resident"],
                   unit="h101", teams=["red"])
    updated = tb.members.update(grid, "p1", tags=["low_income"], roles=["resident",
                                                                         "volunteer"])
    assert updated.tags == ("low_income",) and updated.roles == ("resident", "volunteer")
    assert updated.phone == "138" and updated.card == "C1" and updated.unit == "h101"
    assert updated.teams == ("red",)
    cleared = tb.members.update(grid, "p1", phone=None, unit=None, teams=[], name="张三丰")
    assert cleared.phone is None and cleared.unit is None and cleared.teams == ()
    assert cleared.name == "张三丰"


def test_bad_member_input_names_the_field_and_writes_nothing(tb, grid):
    for kwargs, field in [({"roles": ["no spaces allowed"]}, "roles"),
                          ({"teams": ["g1"]}, "teams"),  # a grid is not a team
                          ({"unit": "nowhere"}, "unit"),
                          ({"phone": "x" * 40}, "phone")]:
        with pytest.raises((ValidationError, NotFound)) as err:
            tb.members.add(grid, "p9", "某人", **kwargs)
        assert err.value.details["field"] == field
    with pytest.raises(UnknownMember):
        tb.members.get(grid, "p9")


def test_updating_an_unknown_member_fails(tb, grid):
    with pytest.raises(UnknownMember):
        tb.members.update(grid, "ghost", name="x")
