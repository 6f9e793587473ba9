"""Alembic environment: runs migrations on the engine handed over in the config.

On SQLite, foreign keys are switched off while migrating: batch mode rebuilds a table by copying it and
dropping the original, and with foreign keys on, dropping `workspaces` would cascade-delete every row
that refers to it. They are switched back on (and checked) afterwards.
"""

from alembic import context

from store.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # outside any transaction, where SQLite honours it
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=sqlite,
                compare_type=True,
                # slack_sdk's OAuth tables are created by migration 0005 but are not our models
                include_object=lambda obj, name, type_, reflected, compare_to: (
                    not (type_ == "table" and (name or "").startswith("slack_"))
                ),
            )
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
    finally:
        if sqlite:
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")
