"""A community with its own rulebook: load a TOML file, install it, and earn by it.

Run: ``python examples/custom_rulebook.py`` (uses a temporary SQLite file).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from timebank import Timebank

RULEBOOK = Path(__file__).with_name("custom_rulebook.toml")


def main(db_url: str | None = None) -> dict[str, object]:
    bank = Timebank(db_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'rules.db'}")
    bank.init()
    bank.communities.create("xinyuan", "馨园社区")
    bank.rules.install("xinyuan", RULEBOOK)
    bank.members.add("xinyuan", "p1", "王党员", roles=["resident", "party_member"])
    study = [bank.contributions.record("xinyuan", "p1", "study_day", key=f"study-{m}",
                                       occurred_on=f"2026-{m:02d}-15")
             for m in range(1, 8)]  # 7 study days: capped at 12 points a year
    result = {"rules": [rule.code for rule in bank.rules.list("xinyuan")],
              "points": [c.points for c in study],
              "capped": study[-1].capped,
              "balance": bank.ledger.balance("xinyuan", "p1")["points"].posted}
    print(result)
    bank.close()
    return result


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
