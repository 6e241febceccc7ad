"""``timebank export report monthly --mask`` writes the file as it may be posted (both
engines): masked names, no member codes, the building instead of the household."""

from __future__ import annotations

from click.testing import CliRunner

from timebank import Timebank
from timebank.cli import main


def test_a_masked_monthly_export_names_nobody_and_no_household(migrated_url, tmp_path):
    bank = Timebank(migrated_url)
    bank.communities.create("sjhy", "世纪花园社区", rulebook="red_vest")
    bank.units.create("sjhy", "g1", "一网格", "grid")
    bank.units.create("sjhy", "b3", "3号楼", "building", parent="g1")
    bank.units.create("sjhy", "b3h501", "501室", "household", parent="b3")
    bank.members.add("sjhy", "p1", "张三明", roles=["volunteer"], unit="b3h501")
    bank.contributions.record("sjhy", "p1", "sharpening", key="s1", quantity=4,
                              occurred_on="2024-03-05")
    bank.close()
    out = tmp_path / "march.csv"
    done = CliRunner().invoke(main, ["--db", migrated_url, "export", "report", "monthly",
                                     "--community", "sjhy", "--period", "2024-03",
                                     "--mask", "-o", str(out)])
    assert done.exit_code == 0, done.output
    text = out.read_text(encoding="utf-8-sig")
    assert "张*明" in text and "3号楼" in text
    assert "张三明" not in text and "p1" not in text and "501" not in text
