"""reading at scale: indexes for an action's owners within its workspace and for a creator's actions;
a region's actions by status and due kind (summary counts read the index alone); when each person last
opened the Home tab

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # without it SQLite reads an action's owners through (workspace_id, user_id): every owner in the workspace
    op.create_index("ix_action_owners_ws_action", "action_owners", ["workspace_id", "action_id", "position"])
    op.create_index("ix_actions_ws_creator_status", "actions", ["workspace_id", "created_by", "status"])
    # a region's open and ongoing counts (weekly summaries) read this index alone, not every open action's row
    # (it serves everything the (workspace, region, status) index did, which goes)
    op.create_index("ix_actions_ws_region_status_kind", "actions", ["workspace_id", "region_id", "status", "due_kind"])
    op.drop_index("ix_actions_ws_region_status", table_name="actions")
    op.add_column("people", sa.Column("home_opened_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("home_opened_at")
    op.create_index("ix_actions_ws_region_status", "actions", ["workspace_id", "region_id", "status"])
    op.drop_index("ix_actions_ws_region_status_kind", table_name="actions")
    op.drop_index("ix_actions_ws_creator_status", table_name="actions")
    op.drop_index("ix_action_owners_ws_action", table_name="action_owners")
