"""Fixtures: every storage test runs on a real SQLite file and, when
``TIMEBANK_TEST_POSTGRES_URL`` is set, on a real PostgreSQL server in a fresh schema.

A migrated database is laid down from what the migrations made once per test process
(a copy of the migrated SQLite file; on PostgreSQL, the statements they ran, replayed in
one round trip), not by running them again for every test: the migrations themselves
are tested in ``tests/integration/test_migrations.py``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from timebank import Timebank
from timebank.store.db import Store, create_engine

PG_URL = os.environ.get("TIMEBANK_TEST_POSTGRES_URL")
PG_SKIP = ("PostgreSQL tests skipped: set TIMEBANK_TEST_POSTGRES_URL, e.g. "
           "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A URL to an empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'timebank.db'}"
        return
    if not PG_URL:
        pytest.skip(PG_SKIP)
    admin = sa.create_engine(PG_URL)
    schema, url = _pg_schema(admin)
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What an upgrade to the newest migration leaves, per engine, made on first use:
    the SQLite file, and the statements (DDL and seed rows, no reads) run on PostgreSQL."""
    return {"dir": tmp_path_factory.mktemp("schema")}


def _sqlite_template(template: dict[str, Any]) -> Path:
    if "sqlite" not in template:
        path = template["dir"] / "migrated.db"
        bank = Timebank(f"sqlite:///{path}")
        bank.init()
        bank.close()  # closing the last connection checkpoints the WAL into the file
        template["sqlite"] = path
    return template["sqlite"]  # type: ignore[no-any-return]


def _pg_schema(admin: sa.Engine) -> tuple[str, str]:
    """A fresh schema on the test server: its name and a URL whose tables go there."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
    return schema, url.render_as_string(hide_password=False)


def _capture_migrations(url: str) -> str:
    """Migrate the empty schema at ``url`` and return what the migrations ran there."""
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        if statement.lstrip().split(None, 1)[0].upper() not in ("SELECT", "SHOW"):
            assert not parameters, f"a migration bound parameters: {statement}"
            statements.append(statement)

    engine = create_engine(url)
    sa.event.listen(engine, "before_cursor_execute", record)
    Timebank(store=Store(engine=engine)).init()
    engine.dispose()
    return ";\n".join(statements)


def migrate(url: str, template: dict[str, Any]) -> None:
    """Bring the empty database at ``url`` to the newest migration from the template."""
    if url.startswith("sqlite"):
        path = _sqlite_template(template)
        assert not path.with_name(path.name + "-wal").exists()
        shutil.copyfile(path, str(sa.make_url(url).database))
        return
    if "postgresql" not in template:  # captured in a schema of its own, then dropped
        admin = sa.create_engine(str(PG_URL))
        scratch, scratch_url = _pg_schema(admin)
        try:
            template["postgresql"] = _capture_migrations(scratch_url)
        finally:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{scratch}" CASCADE')
            admin.dispose()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql(template["postgresql"])
    engine.dispose()


@pytest.fixture
def migrated_url(db_url: str, schema_template: dict[str, Any]) -> str:
    """``db_url`` with the schema at the newest migration, nothing else in it."""
    migrate(db_url, schema_template)
    return db_url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    store = Store(engine=create_engine(db_url, pool_size=20, max_overflow=10)
                  if db_url.startswith("postgresql") else create_engine(db_url))
    yield store
    store.dispose()


@pytest.fixture
def tb(store: Store, migrated_url: str) -> Iterator[Timebank]:
    """A migrated, empty timebank."""
    yield Timebank(store=store)


@pytest.fixture
def community(tb: Timebank) -> str:
    """A community ``sjhy`` with members ``m1`` … ``m5``."""
    tb.communities.create("sjhy", "世纪花园社区")
    for i in range(1, 6):
        tb.members.add("sjhy", f"m{i}", f"居民{i}")
    return "sjhy"
