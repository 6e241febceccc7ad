"""A member import refuses cards that would find two members at the desk (both
engines): the same card on rows of different members, or a card another member holds,
as ``member add`` refuses it; every such row is named."""

from __future__ import annotations

import pytest

from timebank.errors import AlreadyExists, UnknownMember
from timebank.io.importing import run_import
from timebank.io.member_import import member_plan


def write_csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_two_members_of_the_file_with_one_card_are_both_refused_naming_the_rows(
        tb, community, tmp_path):
    path = write_csv(tmp_path / "cards.csv", "code,name,card\nn1,甲,C9\nn2,乙,C9\n"
                                             "n3,丙,C3\n")
    report = run_import(tb.store, community, path, member_plan())
    assert not report.committed and report.added == 0
    assert [(p.row, p.column) for p in report.problems] == [(2, "card"), (3, "card")]
    assert "3 (n2)" in report.problems[0].message and "2 (n1)" in report.problems[1].message
    skipped = run_import(tb.store, community, path, member_plan(), skip_bad_rows=True)
    assert skipped.committed and (skipped.added, skipped.rejected) == (1, 2)
    assert tb.members.lookup(community, card="C3").code == "n3"
    with pytest.raises(UnknownMember):
        tb.members.lookup(community, card="C9")


def test_a_card_another_member_holds_is_refused_and_a_reimport_is_not(
        tb, community, tmp_path):
    tb.members.update(community, "m2", card="C2")
    with pytest.raises(AlreadyExists):  # what ``member add`` does
        tb.members.add(community, "x1", "某人", card="C2")
    path = write_csv(tmp_path / "cards.csv", "code,name,card\nm2,居民2,C2\nn1,新人,C2\n")
    report = run_import(tb.store, community, path, member_plan(), skip_bad_rows=True)
    assert [(p.row, p.column) for p in report.problems] == [(3, "card")]
    assert "'m2'" in report.problems[0].message
    assert (report.added, report.unchanged) == (0, 1)
    assert tb.members.lookup(community, card="C2").code == "m2"


def test_one_card_in_two_chunks_is_refused_too(tb, community, tmp_path):
    path = write_csv(tmp_path / "cards.csv", "code,name,card\nn1,甲,C9\nn2,乙,C3\n"
                                             "n3,丙,C9\n")
    report = run_import(tb.store, community, path, member_plan(), chunk_size=2)
    assert not report.committed and report.added == 0
    assert [(p.row, p.column) for p in report.problems] == [(4, "card")]
    assert "'n1'" in report.problems[0].message  # the first chunk's member holds it now
