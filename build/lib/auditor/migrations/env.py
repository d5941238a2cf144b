"""Store stage: Alembic environment; run by auditor.store.db.migrate, never by hand."""

from alembic import context

from auditor.store.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
