"""scheduler: nudge settings, snooze, delivery ledger

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("occurrence", sa.String(length=120), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=40), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("parts_sent", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_deliveries_action_id_actions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], name=op.f("fk_deliveries_region_id_regions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_deliveries_workspace_id_workspaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "workspace_id",
            "kind",
            "subject",
            "occurrence",
            name=op.f("uq_deliveries_workspace_id_kind_subject_occurrence"),
        ),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_action_id"), ["action_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_region_id"), ["region_id"], unique=False)
        batch_op.create_index("ix_deliveries_ws_scheduled", ["workspace_id", "scheduled_for"], unique=False)

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("schedule_from", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nudge_offsets", sa.String(length=40), server_default="-3,0,1", nullable=False))
        batch_op.add_column(sa.Column("nudge_repeat_days", sa.Integer(), server_default=sa.text("7"), nullable=False))
        batch_op.add_column(sa.Column("escalate_after_days", sa.Integer(), server_default=sa.text("7"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("escalate_after_days")
        batch_op.drop_column("nudge_repeat_days")
        batch_op.drop_column("nudge_offsets")

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_column("snoozed_until")
        batch_op.drop_column("schedule_from")

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_ws_scheduled")
        batch_op.drop_index(batch_op.f("ix_deliveries_region_id"))
        batch_op.drop_index(batch_op.f("ix_deliveries_action_id"))

    op.drop_table("deliveries")
