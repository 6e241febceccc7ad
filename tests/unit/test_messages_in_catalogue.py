"""Every message a person reads goes through the catalogue: a walk over the syntax tree of
every module of ``timebank/`` and ``webapi/`` fails on an error of the library's hierarchy
built from a plain string (a literal, an f-string, a ``.format`` or ``%`` of one) instead
of ``T(...)`` / ``Text(...)``, and on a ``T()`` / ``N_()`` / ``translate()`` / ``Text()``
id that has no zh_CN or en translation."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from timebank.i18n import has

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("timebank", "webapi")
BASE = "TimebankError"
MARKERS = {"T", "N_", "translate", "Text"}  # their first argument is a catalogue id
CLICK = {"ClickException", "UsageError", "BadParameter"}  # what the CLI shows a person


def modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def name_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


class Module:
    """One module's tree and what its names are bound to by its imports, so that
    marshmallow's ``ValidationError`` or rich's ``Text`` are not taken for ours."""

    def __init__(self, source: str) -> None:
        self.tree = ast.parse(source)
        self.imported: dict[str, str] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom):
                origin = "timebank." if node.level else f"{node.module}."
                for alias in node.names:
                    self.imported[alias.asname or alias.name] = origin + alias.name
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    self.imported[alias.asname or alias.name.split(".")[0]] = alias.name
        self.classes = {node.name: node for node in ast.walk(self.tree)
                        if isinstance(node, ast.ClassDef)}

    def ours(self, name: str) -> bool:
        return self.imported.get(name, "").startswith(PACKAGES)

    def error(self, node: ast.expr, errors: set[str]) -> str | None:
        """The error class ``node`` names (``Forbidden``, ``errors.Forbidden``), if ours."""
        if isinstance(node, ast.Name) and node.id in errors and (
                node.id in self.classes or self.ours(node.id)):
            return node.id
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.attr in errors and self.ours(node.value.id):
                return node.attr
            if node.attr in CLICK and self.imported.get(node.value.id) == "click":
                return f"click.{node.attr}"
        return None

    def factories(self, errors: set[str]) -> dict[str, list[str]]:
        """Functions of this module that build an error (``-> RulebookError``) from a
        problem given as ``str | Text``: name -> the parameters that carry text."""
        found = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns \
                    and self.error(node.returns, errors):
                params = [a for a in node.args.args if a.arg not in ("self", "cls")]
                found[node.name] = [f"{i}:{a.arg}" for i, a in enumerate(params)
                                    if a.annotation is not None
                                    and "Text" in ast.unparse(a.annotation)]
        return found

    def marker(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            origin = self.imported.get(node.id, "")
            name = origin.rpartition(".")[2]
            if origin.startswith("timebank.i18n.") and name in MARKERS:
                return name
        return None


def error_classes(modules: Iterable[Module]) -> set[str]:
    """``TimebankError`` and every class that derives from it, however deep."""
    found = {BASE}
    while True:
        more = {name for m in modules for name, node in m.classes.items()
                if name not in found and any(m.error(b, found) for b in node.bases)}
        if not more:
            return found
        found |= more


def is_plain_text(node: ast.expr) -> bool:
    """A message that can only ever be one language: a string literal, an f-string,
    ``"..." + x``, ``"..." % x``, ``"...".format(...)`` or ``str(...)``."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return is_plain_text(node.left) or is_plain_text(node.right)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("format", "join"):
            return is_plain_text(func.value)
        return isinstance(func, ast.Name) and func.id == "str"
    if isinstance(node, ast.IfExp):
        return is_plain_text(node.body) or is_plain_text(node.orelse)
    return False


def findings(module: Module, where: str, errors: set[str]) -> list[str]:
    """What is wrong in one module: plain-string errors, ids without a translation."""
    found = []
    factories = module.factories(errors)
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call):
            continue
        at = f"{where}:{node.lineno}"
        error, marker = module.error(node.func, errors), module.marker(node.func)
        factory = factories.get(name_of(node.func) or "")
        if error:
            message = node.args[0] if node.args else next(
                (k.value for k in node.keywords if k.arg == "message"), None)
            if message is not None and is_plain_text(message):
                found.append(f"{at}: {error} built from a plain string, not T(...)")
        elif factory:
            for slot in factory:
                index, name = slot.split(":")
                given = node.args[int(index)] if int(index) < len(node.args) else next(
                    (k.value for k in node.keywords if k.arg == name), None)
                if given is not None and is_plain_text(given):
                    found.append(f"{at}: {name_of(node.func)}() given a plain string as "
                                 f"{name}, not T(...)")
        elif marker and node.args:
            msgid = node.args[0]  # an id held in a name is marked with N_ where it is set
            if isinstance(msgid, ast.Constant) and isinstance(msgid.value, str):
                missing = [lang for lang in ("zh", "en") if not has(msgid.value, lang)]
                if missing:
                    found.append(f"{at}: {marker}({msgid.value[:40]!r}) has no "
                                 f"{'/'.join(missing)} translation")
    return found


def test_no_module_raises_a_plain_string_error_or_uses_an_untranslated_id() -> None:
    parsed = {str(p.relative_to(ROOT)): Module(p.read_text(encoding="utf-8"))
              for p in modules()}
    errors = error_classes(parsed.values())
    assert {"UnknownMember", "RulebookError", "Forbidden"} <= errors
    found = [f for where, m in parsed.items() for f in findings(m, where, errors)]
    assert found == [], "use T(...) and run python -m timebank.locale update"


SNIPPET = '''
import click
from marshmallow import ValidationError
from rich.text import Text
from timebank import errors as ours
from timebank.errors import NotFound, TimebankError
from timebank.i18n import N_, T

class UnknownBroom(NotFound):
    """A broom that is not there."""

class LostBroom(UnknownBroom):
    """Deeper in the hierarchy."""

def bad(field: str, what: str | Text) -> UnknownBroom:
    return UnknownBroom(T("{where}: {field} {what}", where="x", field=field, what=what))

def sweep(code):
    if code == 1:
        raise UnknownBroom("no such broom")
    if code == 2:
        raise LostBroom(f"broom {code!r} is lost", field="code")
    if code == 3:
        raise ours.NotFound("broom {}".format(code))
    if code == 4:
        raise TimebankError(message="broom " + str(code))
    if code == 5:
        raise LostBroom(T("unknown member {member!r}", member=code))
    if code == 6:
        raise LostBroom(T("a broom nobody has translated"))
    if code == 7:
        raise ValueError("not ours: a plain string is fine here")
    if code == 8:
        raise ValidationError("marshmallow's, translated by webapi/i18n.py")
    if code == 9:
        raise bad("brooms", "is empty")
    if code == 10:
        raise bad("brooms", what=T("is empty"))
    if code == 11:
        raise click.UsageError("give a broom")
    print(Text("rich's Text, not a catalogue id"))
    return N_("Not found"), N_("another broom nobody has translated")
'''


def test_the_walk_finds_plain_string_errors_and_untranslated_ids_in_a_snippet() -> None:
    snippet = Module(SNIPPET)
    errors = error_classes([snippet, Module((ROOT / "timebank" / "errors.py").read_text(
        encoding="utf-8"))])
    assert {"UnknownBroom", "LostBroom", "NotFound"} <= errors and "ValueError" not in errors
    found = findings(snippet, "snippet.py", errors)
    source = SNIPPET.splitlines()
    assert [source[int(f.split(":")[1]) - 1].strip() for f in sorted(
        found, key=lambda f: int(f.split(":")[1]))] == [
        'raise UnknownBroom("no such broom")',
        'raise LostBroom(f"broom {code!r} is lost", field="code")',
        'raise ours.NotFound("broom {}".format(code))',
        'raise TimebankError(message="broom " + str(code))',
        'raise LostBroom(T("a broom nobody has translated"))',
        'raise bad("brooms", "is empty")',
        'raise click.UsageError("give a broom")',
        'return N_("Not found"), N_("another broom nobody has translated")',
    ]
    assert sum("has no zh/en translation" in f for f in found) == 2
