"""The community's rulebook: install one, read the rules in force, change a rule.

Rules are versioned. A change is a new version in force from a local day on; the
contributions already recorded keep the points they were valued at, and contributions
that happened before that day are valued by the version in force then. A version never
takes effect before the newest existing version of the same rule: history is appended
to, not rewritten.
"""

from __future__ import annotations

import builtins
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain import rulebook as books_of_rules
from timebank.domain.rulebook import Rulebook
from timebank.domain.rules import Rule
from timebank.errors import InvalidState, UnknownRule, ValidationError
from timebank.store import legacy as books
from timebank.store.tables import contributions, rule_versions
from timebank.store.db import Store
from timebank.store.tables import communities
from timebank.timeutil import local_date, utcnow

# A rule's first version with no date of its own is in force from the beginning, so
# history can be imported; later versions default to the day they are made.
BEGINNING = date(1970, 1, 1)

Versions = dict[str, list[tuple[int, Rule]]]


def load_versions(conn: Connection, community_id: int,
                  codes: Iterable[str] | None = None) -> Versions:
    """Every stored version of the community's rules (or of ``codes``), oldest first."""
    query = (sa.select(rule_versions.c.id, rule_versions.c.code, rule_versions.c.definition)
             .where(rule_versions.c.community_id == community_id)
             .order_by(rule_versions.c.code, rule_versions.c.effective_from))
    if codes is not None:
        query = query.where(rule_versions.c.code.in_(sorted(set(codes))))
    found: Versions = {}
    for vid, code, definition in conn.execute(query):
        found.setdefault(code, []).append((vid, books_of_rules.rule(**definition)))
    return found


def version_on(versions: Versions, code: str, day: date) -> tuple[int, Rule]:
    """The version of rule ``code`` in force on local ``day``."""
    history = versions.get(code)
    if not history:
        raise UnknownRule(f"unknown rule {code!r}", field="rule")
    starts = [r.effective_from or BEGINNING for _, r in history]
    at = bisect_right(starts, day)
    if at == 0:
        raise UnknownRule(f"rule {code!r} is not in force on {day.isoformat()} (from "
                          f"{starts[0].isoformat()})", field="rule")
    return history[at - 1]


def install(conn: Connection, comm: books.CommunityRef, book: Rulebook, *,
            effective_from: date | None = None, actor: str = "system") -> Rulebook:
    """``Rules.install`` inside a transaction the caller holds (a community created
    with its rulebook is one transaction)."""
    for rule in book.rules:
        add_version(conn, comm, rule, effective_from, actor)
    settings = {**comm.settings, "rulebook": book.name, **dict(book.policies)}
    if "allow_self_approval" in book.community:
        settings["allow_self_approval"] = book.community["allow_self_approval"]
    conn.execute(communities.update().where(communities.c.id == comm.id)
                 .values(settings=settings))
    return book


def add_version(conn: Connection, comm: books.CommunityRef, rule: Rule,
                effective_from: date | None, actor: str) -> Rule:
    """Store ``rule`` as a new version unless it is the one already in force."""
    existing = conn.execute(
        sa.select(rule_versions.c.id, rule_versions.c.effective_from,
                  rule_versions.c.definition)
        .where(rule_versions.c.community_id == comm.id, rule_versions.c.code == rule.code)
        .order_by(rule_versions.c.effective_from.desc()).limit(1)).first()
    if existing is not None and effective_from is None and \
            _same(existing.definition, books_of_rules.to_dict(rule)):
        return books_of_rules.rule(**existing.definition)  # nothing changed
    start = effective_from or rule.effective_from or (
        local_date(utcnow(), comm.timezone) if existing else BEGINNING)
    rule = books_of_rules.rule(**{**books_of_rules.to_dict(rule),
                                  "effective_from": start})
    definition = books_of_rules.to_dict(rule)
    if existing is not None:
        if existing.effective_from == start:
            if existing.definition == definition:
                return rule
            used = conn.execute(sa.select(contributions.c.id).where(
                contributions.c.rule_version_id == existing.id).limit(1)).first()
            if used is not None:
                raise InvalidState(
                    f"rule {rule.code!r} from {start.isoformat()} has already valued "
                    "contributions: give the change a later effective_from",
                    field="effective_from")
            conn.execute(rule_versions.update().where(rule_versions.c.id == existing.id)
                         .values(definition=definition, created_at=utcnow(),
                                 created_by=actor))
            return rule
        if start < existing.effective_from:
            raise ValidationError(
                f"rule {rule.code!r} already has a version from "
                f"{existing.effective_from.isoformat()}; a change cannot take effect "
                f"before it ({start.isoformat()})", field="effective_from")
    conn.execute(rule_versions.insert().values(
        community_id=comm.id, code=rule.code, effective_from=start,
        definition=definition, created_at=utcnow(), created_by=actor))
    return rule

# -- reads ---------------------------------------------------------------------------


class Rules:
    def __init__(self, store: Store) -> None:
        self.store = store

    def install(self, community: str, rulebook: str | Path | Rulebook, *,
                effective_from: date | None = None, actor: str = "system") -> Rulebook:
        """Install a rulebook (a file path, a shipped name such as ``red_vest``, or a
        loaded ``Rulebook``): store each rule as a version, and its policies and
        community options in the community's settings. Installing the same rulebook
        twice changes nothing."""
        book = rulebook if isinstance(rulebook, Rulebook) else books_of_rules.load(rulebook)
        return self.store.write(lambda conn: install(
            conn, books.community(conn, community), book, effective_from=effective_from,
            actor=actor))

    def put(self, community: str, code: str, definition: Mapping[str, Any] | Rule, *,
            effective_from: date | None = None, actor: str = "system") -> Rule:
        """Add a version of rule ``code`` (new or changed), in force from
        ``effective_from`` (default: the definition's own date, else today)."""
        if isinstance(definition, Rule):
            definition = books_of_rules.to_dict(definition)
        if not isinstance(definition, Mapping):
            raise ValidationError("a rule definition is an object", field="rule")
        fields = {**definition, "code": definition.get("code", code)}
        if fields["code"] != code:
            raise ValidationError(f"the definition's code {fields['code']!r} is not "
                                  f"{code!r}", field="code")
        rule = books_of_rules.rule(origin="PUT /rules", **fields)

        def run(conn: Connection) -> Rule:
            comm = books.community(conn, community)
            return add_version(conn, comm, rule, effective_from, actor)
        return self.store.write(run)

    def list(self, community: str, *, on: date | None = None) -> builtins.list[Rule]:
        """The rules in force on local day ``on`` (default today), by code. Use
        ``timebank.domain.rulebook.to_dict`` for their JSON form."""
        with self.store.read() as conn:
            comm = books.community(conn, community)
            day = on or local_date(utcnow(), comm.timezone)
            versions = load_versions(conn, comm.id)
        found = []
        for code in sorted(versions):
            try:
                found.append(version_on(versions, code, day)[1])
            except UnknownRule:
                continue  # not yet in force
        return found

    def get(self, community: str, code: str, *, on: date | None = None) -> Rule:
        """The version of rule ``code`` in force on ``on`` (default today)."""
        with self.store.read() as conn:
            comm = books.community(conn, community)
            day = on or local_date(utcnow(), comm.timezone)
            versions = load_versions(conn, comm.id, [code])
        try:
            return version_on(versions, code, day)[1]
        except UnknownRule:
            if code in versions:  # only a future version: show that one
                return versions[code][0][1]
            raise

    def history(self, community: str, code: str) -> builtins.list[Rule]:
        """Every version of rule ``code``, oldest first."""
        with self.store.read() as conn:
            comm = books.community(conn, community)
            versions = load_versions(conn, comm.id, [code])
        if code not in versions:
            raise UnknownRule(f"unknown rule {code!r}", field="rule")
        return [r for _, r in versions[code]]


def _same(stored: Mapping[str, Any], fresh: Mapping[str, Any]) -> bool:
    """Whether two definitions say the same, whatever their dates."""
    undated = {k: v for k, v in fresh.items() if k != "effective_from"}
    return {k: v for k, v in stored.items() if k != "effective_from"} == undated
