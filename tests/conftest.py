"""Fixtures: every storage test runs on a real SQLite file and, when
``TIMEBANK_TEST_POSTGRES_URL`` is set, on a real PostgreSQL server in a fresh schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

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
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    store = Store(engine=create_engine(db_url, pool_size=20, max_overflow=10)
                  if db_url.startswith("postgresql") else create_engine(db_url))
    yield store
    store.dispose()


@pytest.fixture
def tb(store: Store) -> Iterator[Timebank]:
    """A migrated, empty timebank."""
    bank = Timebank(store=store)
    bank.init()
    yield bank


@pytest.fixture
def community(tb: Timebank) -> str:
    """A community ``sjhy`` with members ``m1`` … ``m5``."""
    tb.communities.create("sjhy", "世纪花园社区")
    for i in range(1, 6):
        tb.members.add("sjhy", f"m{i}", f"居民{i}")
    return "sjhy"
