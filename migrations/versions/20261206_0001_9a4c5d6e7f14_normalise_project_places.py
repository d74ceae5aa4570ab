"""normalise the province and commune of existing projects (issue 14)

"SAFI", "Province de Safi", "إقليم آسفي" and " safi " become "Safi" (tracker/core/places.py: ISO 3166-2:MA
through pycountry, the project's Arabic names and aliases, Safi's communes), so the report's "by province"
section counts each province once. A value that is not in the reference stays as it is.

Nothing is lost: each project changed gets an audit event (action "update", entity "project", no user) with
the values before and after and `migration: [None, revision]`, and its version is bumped so that a form opened
before the upgrade reports a concurrent change instead of overwriting. The downgrade puts the old spelling
back, from those events, on the projects whose province and commune still hold what this migration wrote,
and removes the events. Data only: Core SQL, no schema change. The reference is imported from the
application (tracker.core.places): it is data, and any later improvement of it only normalises better.

Revision ID: 9a4c5d6e7f14
Revises: 8f3b4c5d6e03
Create Date: 2026-12-06 00:01:00

"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


revision = '9a4c5d6e7f14'
down_revision = '8f3b4c5d6e03'
branch_labels = None
depends_on = None

projects = sa.table(
    "projects", sa.column("id", sa.Integer), sa.column("province", sa.String), sa.column("commune", sa.String),
    sa.column("version", sa.Integer),
)
audit_events = sa.table(
    "audit_events", sa.column("id", sa.Integer), sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("user_id", sa.Integer), sa.column("action", sa.String), sa.column("entity_type", sa.String),
    sa.column("entity_id", sa.Integer), sa.column("changes", sa.JSON), sa.column("ip", sa.String),
)
MARKER = ["migration", [None, revision]]


def _normalised(province, commune):
    from tracker.core import places

    new_province = places.normalise_province(province).value
    return new_province, places.normalise_commune(commune, new_province).value


def upgrade():
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(projects.c.id, projects.c.province, projects.c.commune, projects.c.version)
        .where(sa.or_(projects.c.province.isnot(None), projects.c.commune.isnot(None)))
        .order_by(projects.c.id)
    ).all()
    now = dt.datetime.now(dt.timezone.utc)
    for project_id, province, commune, version in rows:
        new_province, new_commune = _normalised(province, commune)
        changes = {}
        if new_province != province:
            changes["province"] = [province, new_province]
        if new_commune != commune:
            changes["commune"] = [commune, new_commune]
        if not changes:
            continue
        bind.execute(projects.update().where(projects.c.id == project_id).values(
            province=new_province, commune=new_commune, version=(version or 0) + 1))
        bind.execute(audit_events.insert().values(
            created_at=now, user_id=None, action="update", entity_type="project", entity_id=project_id,
            changes={**changes, MARKER[0]: MARKER[1]}, ip=None))


def downgrade():
    bind = op.get_bind()
    events = bind.execute(
        sa.select(audit_events.c.id, audit_events.c.entity_id, audit_events.c.changes)
        .where(audit_events.c.action == "update", audit_events.c.entity_type == "project",
               audit_events.c.user_id.is_(None))
        .order_by(audit_events.c.id.desc())
    ).all()
    for event_id, project_id, changes in events:
        if not isinstance(changes, dict) or changes.get(MARKER[0]) != MARKER[1]:
            continue
        current = bind.execute(sa.select(projects.c.province, projects.c.commune, projects.c.version)
                               .where(projects.c.id == project_id)).first()
        if current is not None:
            restore = {}
            for name, position in (("province", 0), ("commune", 1)):
                if name in changes and current[position] == changes[name][1]:
                    restore[name] = changes[name][0]  # only what this migration wrote and nobody changed since
            if restore:
                bind.execute(projects.update().where(projects.c.id == project_id).values(
                    **restore, version=(current[2] or 0) + 1))
        bind.execute(audit_events.delete().where(audit_events.c.id == event_id))
