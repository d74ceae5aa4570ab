"""Queries and time per list page for 10 and 1,000 projects: the query count must not grow with the rows."""

import datetime as dt
import os
import statistics
import tempfile
import time

import sqlalchemy as sa
from flask_migrate import upgrade

from config import DevelopmentConfig, _normalise_db_url
from tracker import create_app
from tracker.auth import services as auth_services
from tracker.cohorts.models import Cohort
from tracker.extensions import db
from tracker.projects.models import Member, Project, Sector

PASSWORD = "bench-password-123"


def _fill(n_projects: int, admin) -> None:
    cohort = Cohort(slug=f"bench-{n_projects}", name=f"Bench {n_projects}")
    db.session.add(cohort)
    db.session.flush()
    sectors = list(Sector)
    for i in range(n_projects):
        project = Project(cohort_id=cohort.id, code=f"B{i:05d}", name=f"Projet banc {i}", sector=sectors[i % 4])
        project.members = [Member(full_name=f"Membre {i}", is_lead=True, consent_date=dt.date(2025, 1, 1))]
        project.staff = [admin]
        db.session.add(project)
    db.session.commit()


def measure(client, url: str) -> tuple[int, float]:
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    timings = []
    for _ in range(5):
        statements.clear()
        start = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, url
    sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements), statistics.median(timings) * 1000


def main() -> None:
    url = _normalise_db_url(os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite")
    app = create_app(DevelopmentConfig, {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()
        admin = auth_services.create_user(None, email="bench@example.org", display_name="Bench", role="admin",
                                          password=PASSWORD)
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": admin.email, "password": PASSWORD})
        print(f"backend: {db.engine.dialect.name}")
        print(f"{'page':32} {'rows':>6} {'queries':>8} {'median ms':>10}")
        shown = 0
        for target in (10, 1000):
            _fill(target - shown, admin)
            shown = target
            app.config["PROJECTS_PER_PAGE"] = target
            for page in ("/projects/", "/cohorts/", "/admin/users", "/"):
                queries, ms = measure(client, page)
                print(f"{page:32} {target:>6} {queries:>8} {ms:>10.1f}")


if __name__ == "__main__":
    main()
