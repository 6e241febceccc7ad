"""The README's Python examples run as written (in a scratch directory)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_embedding_examples_run(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {"__name__": "__main__"}
    for block in blocks:
        exec(compile(block, str(README), "exec"), scope)
    tb = scope["tb"]
    assert tb.ledger.balance("sjhy", "R-0001")["points"].available == 5  # type: ignore[attr-defined]
    tb.close()  # type: ignore[attr-defined]
