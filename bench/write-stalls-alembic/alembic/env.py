# Offline mode only: render the migration as SQL for PostgreSQL, as `alembic upgrade head`
# would run it. Alembic's defaults for PostgreSQL: transactional DDL, one transaction for the
# whole upgrade.
from alembic import context

context.configure(url=context.config.get_main_option("sqlalchemy.url"), literal_binds=True, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
