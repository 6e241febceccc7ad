"""The schema is owned by the migrations, and they agree with the table definitions."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from timebank.store.tables import metadata


def test_init_twice_is_harmless_and_the_migrations_match_the_tables(tb):
    tb.init()  # the fixture already ran it once
    with tb.store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
