"""Alembic migrations own the schema; ``upgrade`` applies them without an ini file."""

from __future__ import annotations

from pathlib import Path

import attrs
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

HERE = Path(__file__).parent


def config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    url = engine.url.render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


@attrs.frozen
class SchemaState:
    """The database's schema revision (None: never initialised) and the newest one."""

    current: str | None
    head: str

    @property
    def ready(self) -> bool:
        return self.current == self.head


def head() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    found = ScriptDirectory.from_config(cfg).get_current_head()
    assert found is not None
    return found


def state(engine: Engine) -> SchemaState:
    """Where the database's schema stands; reads the revision only (no table is made)."""
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return SchemaState(current, head())


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(config(engine), revision)
