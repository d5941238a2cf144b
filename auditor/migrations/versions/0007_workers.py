"""runs.task_id and .beat_at: the Celery task that runs it and its worker's last heartbeat (a task
delivered again aborts its earlier attempt's run only when that worker is provably dead);
schedule_ticks: one enqueue per store per cron tick, however many schedulers are running

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("task_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("beat_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_runs_task_id", ["task_id"])
    op.create_table(
        "schedule_ticks",
        sa.Column("store", sa.String(200), primary_key=True),
        sa.Column("tick", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("task_id", sa.String(64), nullable=False),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("schedule_ticks")
    with op.batch_alter_table("runs") as batch:
        batch.drop_index("ix_runs_task_id")
        batch.drop_column("beat_at")
        batch.drop_column("task_id")
