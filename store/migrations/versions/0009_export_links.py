"""export links: download links to an export, found by the hash of the secret in their URL

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("tz", sa.String(64), nullable=True),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_export_links_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_links")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_export_links_secret_hash")),
    )
    op.create_index("ix_export_links_expires_at", "export_links", ["expires_at"])
    op.create_index("ix_export_links_ws_user", "export_links", ["workspace_id", "user_id"])


def downgrade() -> None:
    op.drop_index("ix_export_links_ws_user", table_name="export_links")
    op.drop_index("ix_export_links_expires_at", table_name="export_links")
    op.drop_table("export_links")
