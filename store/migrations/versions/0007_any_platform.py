"""any platform: workspaces keyed by (platform, external ID); platform ID columns wide enough for any
platform's IDs; a table of conversation references (where to reach someone unasked); delivery problems as
the recipient they concern plus the platform's reason code; an action's creator kind (a platform user or
the command line)

Existing workspaces are Slack's. A problem stored as text ("user:U123 account_inactive") is split at its
first space into recipient and code; actions created by "cli" are the command line's, all others a user's.
Downgrading refuses while a workspace of another platform is stored (its IDs would not fit back).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID, RECIPIENT, OCCURRENCE = 255, 300, 400
# table: (column, width before, width after, nullable)
WIDENED = {
    "workspaces": [("team_id", 32, ID, False)],
    "people": [("user_id", 32, ID, False)],
    "regions": [("channel_id", 32, ID, True), ("lead_user_id", 32, ID, True)],
    "actions": [("channel_id", 32, ID, True), ("created_by", 32, ID, False)],
    "action_owners": [("user_id", 32, ID, True)],
    "notes": [("author", 32, ID, False)],
    "events": [("actor", 32, ID, False)],
    "deliveries": [("recipient", 40, RECIPIENT, False), ("occurrence", 120, OCCURRENCE, False), ("ref", 64, ID, True)],
    "processed_events": [("event_id", 64, ID, False)],
    "calendar_feeds": [("subject", 40, ID, False)],
}
PROBLEM_TABLES = ("actions", "regions")
OLD_PROBLEM = 200


def _resize(batch, table: str, grow: bool) -> None:
    for column, before, after, nullable in WIDENED[table]:
        old, new = (before, after) if grow else (after, before)
        batch.alter_column(column, type_=sa.String(new), existing_type=sa.String(old), existing_nullable=nullable)


def _problems(table: str):
    return sa.table(
        table,
        sa.column("id", sa.Integer),
        sa.column("delivery_problem", sa.String),
        sa.column("delivery_problem_recipient", sa.String),
        sa.column("delivery_problem_code", sa.String),
    )


def _copy_problems(table: str, rows_of, values_of) -> None:
    """Rewrite each stored problem of `table` (rows_of: select of id and the source) with `values_of(text)`."""
    bind = op.get_bind()
    t = _problems(table)
    rows = [{"row_id": row_id, **values_of(found)} for row_id, found in bind.execute(rows_of(t))]
    if rows:
        bind.execute(t.update().where(t.c.id == sa.bindparam("row_id")), rows)


def _split(text: str) -> dict:
    recipient, _, code = text.partition(" ")
    return {"delivery_problem_recipient": recipient[:RECIPIENT], "delivery_problem_code": code[:64] or "unknown"}


def upgrade() -> None:
    op.add_column("workspaces", sa.Column("platform", sa.String(16), server_default="slack", nullable=False))
    op.add_column("actions", sa.Column("creator_kind", sa.String(8), server_default="user", nullable=False))
    actions = sa.table("actions", sa.column("created_by", sa.String), sa.column("creator_kind", sa.String))
    op.execute(actions.update().where(actions.c.created_by == "cli").values(creator_kind="cli"))
    for table in PROBLEM_TABLES:
        op.add_column(table, sa.Column("delivery_problem_recipient", sa.String(RECIPIENT), nullable=True))
        op.add_column(table, sa.Column("delivery_problem_code", sa.String(64), nullable=True))
        _copy_problems(
            table, lambda t: sa.select(t.c.id, t.c.delivery_problem).where(t.c.delivery_problem.is_not(None)), _split
        )

    with op.batch_alter_table("workspaces") as batch:
        batch.drop_constraint("uq_workspaces_team_id", type_="unique")
        _resize(batch, "workspaces", grow=True)
        batch.create_unique_constraint("uq_workspaces_platform_team_id", ["platform", "team_id"])
    for table in WIDENED:
        if table == "workspaces":
            continue
        with op.batch_alter_table(table) as batch:
            _resize(batch, table, grow=True)
            if table in PROBLEM_TABLES:
                batch.drop_column("delivery_problem")

    op.create_table(
        "conversation_refs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(ID), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("service_url", sa.String(500), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_conversation_refs_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_refs")),
        sa.UniqueConstraint("workspace_id", "kind", "key", name=op.f("uq_conversation_refs_workspace_id_kind_key")),
    )


def downgrade() -> None:
    others = op.get_bind().execute(sa.text("SELECT count(*) FROM workspaces WHERE platform <> 'slack'")).scalar()
    if others:
        raise RuntimeError(
            f"{others} workspace(s) of platforms other than Slack are stored: delete them "
            "(`actionbot workspace delete`) before downgrading below 0007"
        )
    op.drop_table("conversation_refs")
    for table in PROBLEM_TABLES:
        op.add_column(table, sa.Column("delivery_problem", sa.String(OLD_PROBLEM), nullable=True))
        _copy_problems(
            table,
            lambda t: sa.select(t.c.id, t.c.delivery_problem_recipient + " " + t.c.delivery_problem_code).where(
                t.c.delivery_problem_recipient.is_not(None)
            ),
            lambda text: {"delivery_problem": text[:OLD_PROBLEM]},
        )
    for table in WIDENED:
        if table == "workspaces":
            continue
        with op.batch_alter_table(table) as batch:
            _resize(batch, table, grow=False)
            if table in PROBLEM_TABLES:
                batch.drop_column("delivery_problem_recipient")
                batch.drop_column("delivery_problem_code")
            if table == "actions":
                batch.drop_column("creator_kind")
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_constraint("uq_workspaces_platform_team_id", type_="unique")
        _resize(batch, "workspaces", grow=False)
        batch.drop_column("platform")
        batch.create_unique_constraint("uq_workspaces_team_id", ["team_id"])
