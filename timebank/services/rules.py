"""The community's rulebook: install one, read the rules in force, change a rule.

Rules are versioned. A change is a new version in force from a local day on; the
contributions already recorded keep the points they were valued at, and contributions
that happened before that day are valued by the version in force then. A version never
takes effect before the newest existing version of the same rule: history is appended
to, not rewritten.

Each use case is a function taking a unit of work; the ``Rules`` facade runs it through
``Store.transact`` (writes) or ``Store.reading`` (reads).
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from timebank.domain import rulebook
from timebank.domain.rule_versions import BEGINNING, Versions, same_rule, version_on
from timebank.domain.rulebook import Rulebook
from timebank.domain.rules import Rule
from timebank.errors import InvalidState, UnknownRule, ValidationError
from timebank.i18n import T
from timebank.store.db import Store
from timebank.store.uow import UnitOfWork
from timebank.timeutil import local_date, utcnow

# ``BEGINNING``, ``Versions`` and ``version_on`` are read from here by reports and imports.
__all__ = ["BEGINNING", "Rules", "Versions", "add_version", "get", "history", "in_force",
           "install", "version_on"]


# -- use cases ------------------------------------------------------------------------------


def install(uow: UnitOfWork, book: Rulebook, *, effective_from: date | None = None,
            replace_from: date | None = None, actor: str = "system") -> Rulebook:
    """Store each of ``book``'s rules as a version, and its policies and community
    options in the community's settings (a community created with its rulebook is one
    transaction: ``uow.community`` is the new one).

    Installing never re-values or undoes silently: a rule that differs from the newest
    stored version of its code (a change made since, or a different book) is refused,
    naming the rules, unless ``replace_from`` says from which local day the book's
    version takes over. Rules the community does not have yet are added."""
    community = uow.community
    codes = sorted(rule.code for rule in book.rules if _differs(uow, rule))
    if codes and replace_from is None:
        raise InvalidState(
            T("the rulebook {book!r} differs from the rules in force: {rules}; nothing "
              "installed. Give replace_from (--replace-from DATE) to put its version in "
              "force from that day", book=book.name, rules=", ".join(codes)),
            field="rules", rules=codes)
    for rule in book.rules:
        add_version(uow, rule, replace_from if rule.code in codes else effective_from, actor)
    settings = {**community.settings, "rulebook": book.name, **dict(book.policies)}
    if "allow_self_approval" in book.community:
        settings["allow_self_approval"] = book.community["allow_self_approval"]
    if "issuer" in book.community:  # who signs service certificates (certificates.py)
        settings["issuer"] = dict(book.community["issuer"])
    if "dues" in book.community:  # eligibility from the books (services/dues.py)
        settings["dues"] = _dues_setting(book.community["dues"], community.settings,
                                         uow.community.timezone)
    uow.communities.set_settings(community.id, settings)
    return book


def _dues_setting(table: Mapping[str, Any], before: Mapping[str, Any],
                  tz: str) -> dict[str, Any]:
    """The rulebook's ``[community.dues]`` as stored: without a ``since`` of its own,
    periods are counted from the month the dues were first installed (kept on a
    re-install), so a new community owes nothing for the months before it began."""
    since = table.get("since") or (before.get("dues") or {}).get("since") or \
        local_date(utcnow(), tz).replace(day=1).isoformat()
    return {**table, "since": since}


def _differs(uow: UnitOfWork, rule: Rule) -> bool:
    """Whether the community has rule ``rule.code`` with another definition."""
    latest = uow.rules.latest(rule.code)
    return latest is not None and not same_rule(latest.definition, rulebook.to_dict(rule))


def add_version(uow: UnitOfWork, rule: Rule, effective_from: date | None,
                actor: str) -> Rule:
    """Store ``rule`` as a new version unless it is the one already in force."""
    latest = uow.rules.latest(rule.code)
    if latest is not None and effective_from is None and \
            same_rule(latest.definition, rulebook.to_dict(rule)):
        return rulebook.rule(**latest.definition)  # nothing changed
    start = effective_from or rule.effective_from or (
        local_date(utcnow(), uow.community.timezone) if latest else BEGINNING)
    rule = rulebook.rule(**{**rulebook.to_dict(rule), "effective_from": start})
    definition = rulebook.to_dict(rule)
    if latest is not None:
        if latest.effective_from == start:
            if latest.definition == definition:
                return rule
            if uow.rules.in_use(latest.id):
                raise InvalidState(
                    T("rule {rule!r} from {start} has already valued contributions: give the "
                      "change a later effective_from", rule=rule.code, start=start.isoformat()),
                    field="effective_from")
            uow.rules.rewrite(latest.id, definition, actor)
            return rule
        if start < latest.effective_from:
            raise ValidationError(
                T("rule {rule!r} already has a version from {effective_from}; a change cannot "
                  "take effect before it ({start})", rule=rule.code,
                  effective_from=latest.effective_from.isoformat(), start=start.isoformat()),
            field="effective_from")
    uow.rules.add(rule.code, start, definition, actor)
    return rule


def in_force(uow: UnitOfWork, *, on: date | None = None) -> list[Rule]:
    """The rules in force on local day ``on`` (default today), by code."""
    day = on or local_date(utcnow(), uow.community.timezone)
    versions = uow.rules.versions()
    found = []
    for code in sorted(versions):
        try:
            found.append(version_on(versions, code, day)[1])
        except UnknownRule:
            continue  # not yet in force
    return found


def get(uow: UnitOfWork, code: str, *, on: date | None = None) -> Rule:
    """The version of rule ``code`` in force on ``on`` (default today); a rule with only
    a future version shows that one."""
    day = on or local_date(utcnow(), uow.community.timezone)
    versions = uow.rules.versions([code])
    try:
        return version_on(versions, code, day)[1]
    except UnknownRule:
        if code in versions:
            return versions[code][0][1]
        raise


def history(uow: UnitOfWork, code: str) -> list[Rule]:
    """Every version of rule ``code``, oldest first."""
    versions = uow.rules.versions([code])
    if code not in versions:
        raise UnknownRule(T("unknown rule {rule!r}", rule=code), field="rule")
    return [r for _, r in versions[code]]


def rule_of(code: str, definition: Mapping[str, Any] | Rule) -> Rule:
    """A definition (as ``PUT /rules/{code}`` sends it, or a ``Rule``) checked and built."""
    if isinstance(definition, Rule):
        definition = rulebook.to_dict(definition)
    if not isinstance(definition, Mapping):
        raise ValidationError(T("a rule definition is an object"), field="rule")
    fields = {**definition, "code": definition.get("code", code)}
    if fields["code"] != code:
        raise ValidationError(T("the definition's code {given!r} is not {code!r}",
                                given=fields['code'], code=code), field="code")
    return rulebook.rule(origin="PUT /rules", **fields)


def book_of(source: str | Path | Rulebook) -> Rulebook:
    """A rulebook from a file path or a shipped name such as ``red_vest``."""
    return source if isinstance(source, Rulebook) else rulebook.load(source)


def shipped() -> list[Rulebook]:
    """The rulebooks that come with the library, loaded, by name (no database needed)."""
    return [rulebook.load(name) for name in rulebook.shipped()]


class Rules:
    def __init__(self, store: Store) -> None:
        self.store = store

    def install(self, community: str, rulebook: str | Path | Rulebook, *,
                effective_from: date | None = None, replace_from: date | None = None,
                actor: str = "system") -> Rulebook:
        """Install a rulebook (a file path, a shipped name such as ``red_vest``, or a
        loaded ``Rulebook``): store each rule as a version, and its policies and
        community options in the community's settings. Installing the same rulebook
        twice changes nothing; rules that differ from the stored ones are refused
        (``InvalidState`` naming them) unless ``replace_from`` gives the local day the
        book's versions take effect from."""
        book = book_of(rulebook)
        return self.store.transact(community, lambda uow: install(
            uow, book, effective_from=effective_from, replace_from=replace_from,
            actor=actor))

    def put(self, community: str, code: str, definition: Mapping[str, Any] | Rule, *,
            effective_from: date | None = None, actor: str = "system") -> Rule:
        """Add a version of rule ``code`` (new or changed), in force from
        ``effective_from`` (default: the definition's own date, else today)."""
        rule = rule_of(code, definition)

        def work(uow: UnitOfWork) -> Rule:
            if rule.requires_dues and "dues" not in uow.community.settings:
                raise ValidationError(T("rule {rule!r} requires dues paid, but the "
                                        "community's rulebook names no dues "
                                        "([community.dues])", rule=code),
                                      field="requires_dues")
            return add_version(uow, rule, effective_from, actor)
        return self.store.transact(community, work)

    def list(self, community: str, *, on: date | None = None) -> builtins.list[Rule]:
        """The rules in force on local day ``on`` (default today), by code. Use
        ``timebank.domain.rulebook.to_dict`` for their JSON form."""
        with self.store.reading(community) as uow:
            return in_force(uow, on=on)

    def get(self, community: str, code: str, *, on: date | None = None) -> Rule:
        """The version of rule ``code`` in force on ``on`` (default today)."""
        with self.store.reading(community) as uow:
            return get(uow, code, on=on)

    def shipped(self) -> builtins.list[Rulebook]:
        """The rulebooks that come with the library (``red_vest``, ...), loaded, by name:
        what ``install`` and ``community create --rulebook`` accept by name."""
        return shipped()

    def history(self, community: str, code: str) -> builtins.list[Rule]:
        """Every version of rule ``code``, oldest first."""
        with self.store.reading(community) as uow:
            return history(uow, code)
