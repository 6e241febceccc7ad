"""Alembic environment: runs on the library's own engine, or on the configured URL."""

from alembic import context

from timebank.store.db import create_engine
from timebank.store.tables import metadata

cfg = context.config
engine = cfg.attributes.get("engine") or create_engine(
    cfg.get_main_option("sqlalchemy.url") or "")

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
