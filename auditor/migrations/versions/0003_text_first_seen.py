"""text_first_seen: the day a store first showed a relative promise (今晚24点, 限时3天)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "text_first_seen",
        sa.Column("store", sa.String(200), primary_key=True),
        sa.Column("phrase_sha", sa.String(40), primary_key=True),
        sa.Column("phrase", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("text_first_seen")
