"""Issue 15 point 8: no input gives a 5xx or a stack trace, anywhere, for anyone.

For every role (anonymous, admin, manager, staff, holder) the test walks the whole `url_map`: every
endpoint and method, with its path arguments pointing at real rows (sometimes at missing or absurd ids),
and sends Hypothesis-generated values (control characters, NUL, bidi marks, huge numbers, far dates, long
strings, unknown keys) to the query string and, for POST, to every field the page's form shows plus the
keys the code reads and random ones, with files of random names and bytes where the form takes files.

The number of cases is bounded and derandomised (the same cases every run): FUZZ_EXAMPLES per route and
method (10 by default; 3 for the routes that build a PDF or a workbook), which makes more than 1,000
requests per role and 5,000 per backend; the totals are printed at the end of the run.
"""

import datetime as dt
import io
import os
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests import factories
from tests.conftest import PASSWORD, login
from tests.fuzz import strategies as fuzz
from tests.fuzz.conftest import ROUTES, STATS
from tests.fuzz.forms import form_defaults
from tests.indicators.factories import IndicatorFactory, TargetFactory
from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory
from tests.milestones.factories import AttachmentFactory, MilestoneFactory
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tests.report_files.exports import ready_export
from tests.roles import ROLES
from tracker.api import access_tokens
from tracker.auth.services import hash_password
from tracker.core.audit import record
from tracker.extensions import db
from tracker.notifications.models import Kind, Notification
from tracker.periods.models import ReportStatus
from tracker.trainings.models import Training

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
EXPENSIVE = {"report_files.cohort_file": 3, "report_files.one_pager": 2, "report_files.iati_file": 4,
             "imports.upload": 5}
MIN_REQUESTS_PER_ROLE = 1000
# Run last: they remove the rows the other routes point at, or end the session.
LAST = ("delete", "erase", "deactivate", "logout", "cancel", "confirm")


class World:
    """Rows for every kind of path argument, on the holder's project where there is a choice."""

    def __init__(self, actors):
        self.actors = actors
        project, staff = actors.project, actors.staff
        self.member = factories.MemberFactory(project=project, full_name="Membre Fuzz", phone="+212612345678")
        self.target_user = factories.UserFactory(role="staff")
        self.indicator = IndicatorFactory()
        TargetFactory(project=project, indicator=self.indicator)
        self.milestone = MilestoneFactory(project=project, planned_date=dt.date(2025, 3, 1))
        self.attachment = AttachmentFactory(milestone=self.milestone)
        # submitted as the workflow leaves it: with its time (the review queue shows its age)
        self.report = PeriodReportFactory(project=project, status=ReportStatus.SUBMITTED,
                                          submitted_at=dt.datetime(2025, 4, 2, 9, 0, tzinfo=dt.UTC))
        IndicatorValueFactory(report=self.report, indicator=self.indicator, value=Decimal(4))
        self.session = MentoringSessionFactory(project=project, mentor=staff, date=dt.date(2025, 2, 1))
        self.item = ActionItemFactory(session=self.session)
        self.training = Training(cohort=actors.cohort, title="Formation fuzz", topic="finance",
                                 date=dt.date(2025, 2, 3), duration_hours=Decimal(2), mode="in_person")
        db.session.add(self.training)
        db.session.flush()
        self.event = record(actors.admin, "update", "project", project.id, {"name": ["a", "b"]})
        # The holder's own notice: other roles reach it by id too, which must be a 404, never a 5xx.
        self.notification = Notification(user_id=actors.holder.id, kind=Kind.REPORT_RETURNED,
                                         project_id=project.id, entity_type="period_report",
                                         entity_id=self.report.id, params={})
        db.session.add(self.notification)
        # A bearer token per role for /api/ (a session cookie never opens it), and one more to revoke.
        self.api_secrets = {role: access_tokens.create(None, actors.by_role(role), name="Fuzz",
                                                       scopes=access_tokens.SCOPES)[0]
                            for role in ROLES if role != "anon"}
        _secret, self.api_token = access_tokens.create(None, actors.holder, name="Fuzz revoke",
                                                       scopes=["projects:read"])
        db.session.commit()
        self.ids = {
            "event_id": self.event.id, "member_id": self.member.id, "user_id": self.target_user.id,
            "indicator_id": self.indicator.id, "project_id": project.id, "milestone_id": self.milestone.id,
            "attachment_id": self.attachment.id, "report_id": self.report.id, "session_id": self.session.id,
            "item_id": self.item.id, "training_id": self.training.id, "cohort": actors.cohort.id,
            "notification_id": self.notification.id, "token_id": self.api_token.id,
        }
        self.strings = {"slug": actors.cohort.slug, "fmt": "json", "token": "0" * 32,
                        "period_label": self.report.period_label, "export": ready_export(actors.manager)}


class Visitor:
    """A test client signed in as one role, signed in again when a fuzzed request ended its session."""

    def __init__(self, app, world, role):
        self.app, self.world, self.role = app, world, role
        self.client = app.test_client()
        if role != "anon":
            self._login()

    def _login(self):
        user = self.world.actors.by_role(self.role)
        user.active, user.role, user.password_hash = True, self.role, hash_password(PASSWORD)
        db.session.commit()
        self.client = login(self.app.test_client(), user)

    def send(self, method, url, query, form, files):
        data = MultiDict([(k, v) for k, vs in form.items() for v in vs])
        for name, (content, filename) in files:
            data.add(name, (io.BytesIO(content), filename))
        headers = {}
        if url.startswith("/api/") and self.role != "anon":
            headers["Authorization"] = f"Bearer {self.world.api_secrets[self.role]}"
        response = self.client.open(url, method=method, headers=headers, query_string=MultiDict(
            [(k, v) for k, vs in query.items() for v in vs]), data=data if method == "POST" else None,
            content_type="multipart/form-data" if files else None)
        STATS["requests"] += 1
        STATS[f"{method} {response.status_code // 100}xx"] += 1
        body = response.get_data()
        if response.status_code >= 500 or b"Traceback (most recent call last)" in body:
            STATS["5xx"] += 1
            raise AssertionError(f"{self.role} {method} {url} query={query!r} form={form!r} "
                                 f"files={[(n, f) for n, (_c, f) in files]!r} -> {response.status_code}\n"
                                 f"{body[:400]!r}")
        if self.role != "anon" and response.status_code == 302 and "/login" in (response.location or ""):
            STATS["relogins"] += 1
            self._login()  # a fuzzed logout, password change or deactivation: not what is tested here
        return response


def _rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    return sorted(rules, key=lambda r: (any(word in r.rule for word in LAST), r.rule))


def _path_values(world, rule, draw):
    values = {}
    for name in rule.arguments:
        if name in world.ids:
            values[name] = draw(st.one_of(*[st.just(world.ids[name])] * 3,
                                          st.integers(min_value=0, max_value=2**31 - 1)))
        else:
            real = world.strings.get(name, "x")
            if name == "fmt":
                real = draw(st.sampled_from(["json", "csv", "xlsx", "pdf", "xml"]))
            values[name] = draw(st.one_of(*[st.just(real)] * 3, fuzz.values.filter(lambda v: "/" not in v)))
    return values


def _page_form(visitor, url) -> tuple[dict[str, list[str]], list[str]]:
    """What the page's forms would post untouched for this role (field -> values), and its file fields."""
    response = visitor.client.get(url)
    if response.status_code != 200 or response.mimetype != "text/html":
        return {}, []
    return form_defaults(response.get_data(as_text=True))


def _fuzz_rule(visitor, world, rule, method):
    adapter = visitor.app.url_map.bind("localhost")
    base_url = adapter.build(rule.endpoint, {n: world.ids.get(n) or world.strings.get(n, "x")
                                             for n in rule.arguments})
    defaults, file_fields = _page_form(visitor, base_url) if "GET" in rule.methods else ({}, [])
    if method == "POST" and not file_fields and rule.endpoint in ("milestones.upload_evidence", "imports.upload"):
        file_fields = ["files", "file"]

    @settings(max_examples=EXPENSIVE.get(rule.endpoint, EXAMPLES), deadline=None, derandomize=True,
              database=None, phases=(Phase.explicit, Phase.generate, Phase.shrink),
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def case(data):
        url = adapter.build(rule.endpoint, _path_values(world, rule, data.draw))
        # No query; the page's own (filter) fields made hostile; or any key the code reads, or none it does.
        query = data.draw(st.one_of(st.just({}), fuzz.parameters(defaults or fuzz.KNOWN_KEYS, only=True),
                                    fuzz.parameters(fuzz.KNOWN_KEYS)))
        form = {}
        if method == "POST":
            # Mostly the form as the page shows it with a few fields made hostile, so that the hostile
            # value passes the other fields' checks and travels as deep as it can; sometimes only noise.
            keep = data.draw(st.booleans()) or data.draw(st.booleans())
            form = dict(defaults) if keep else {}
            form.update(data.draw(fuzz.parameters(defaults)))
        files = []
        if method == "POST" and file_fields:
            files = data.draw(st.lists(st.tuples(st.sampled_from(file_fields),
                                                 st.tuples(fuzz.file_contents, fuzz.file_names)), max_size=3))
        visitor.send(method, url, query, form, files)

    case()
    ROUTES.add((rule.endpoint, method, visitor.role))


@pytest.mark.parametrize("role", ROLES)
def test_no_input_gives_a_server_error(app, actors, role):
    world = World(actors)
    visitor = Visitor(app, world, role)
    before = STATS["requests"]
    for rule in _rules(app):
        for method in sorted(rule.methods & {"GET", "POST"}):
            _fuzz_rule(visitor, world, rule, method)
    made = STATS["requests"] - before
    print(f"fuzz {role}: {made} requests")
    assert made >= MIN_REQUESTS_PER_ROLE
