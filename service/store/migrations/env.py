"""Alembic environment, configured from code (`service.store.bootstrap.alembic_config`).

No alembic.ini: the database URL comes from `service.config`, so the CLI, the web app,
workers and tests all migrate the store they actually use.
"""

from alembic import context
from sqlalchemy.engine import Connection

from service.store.db import engine
from service.store.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTER needs table copies
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with engine().connect() as conn:
        _run(conn)


if context.is_offline_mode():
    raise SystemExit("lianfang migrations run online only")
run_migrations_online()
