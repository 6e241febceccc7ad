"""The schema is owned by the migrations, and they agree with the table definitions."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from timebank import Timebank
from timebank.store.tables import metadata


def test_init_twice_is_harmless_and_the_migrations_match_the_tables(store):
    bank = Timebank(store=store)
    assert bank.schema().current is None
    bank.init()  # every migration, on an empty database
    bank.init()
    assert bank.schema().ready
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_the_schema_the_suite_lays_down_is_the_migrated_one(migrated_url):
    """Most tests get their schema from the migrations run once per worker
    (``tests/conftest.py``); it must be the newest revision and match the tables."""
    bank = Timebank(migrated_url)
    try:
        assert bank.schema().ready
        with bank.store.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        bank.close()
