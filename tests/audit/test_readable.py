"""An audit log a person can read (issue 19): translated action and field names, values written as the rest of
the app writes them, the entity named, the stored codes and raw JSON only behind "details"."""

import pathlib
import re

from tests.audit.test_views import _event, _page
from tracker.admin import audit_query

ROOT = pathlib.Path(__file__).resolve().parents[2] / "tracker"


def test_every_recorded_action_has_a_translated_name():
    recorded = set()
    for path in ROOT.rglob("*.py"):
        recorded |= set(re.findall(r'audit\.record\([^,]+, "([a-z_.]+)"', path.read_text(encoding="utf-8")))
    assert recorded, "no audit.record call found"
    assert sorted(recorded - set(audit_query.ACTION_LABELS)) == []


def test_the_list_reads_without_codes_and_keeps_the_raw_event_behind_details(actors, login_as):
    _event(actors.admin, "update", "project", actors.project.id,
           {"due_date": ["2026-03-01", "2026-04-15"], "status": ["active", "paused"]})
    html = _page(login_as("admin"), entity="project", entity_id=actors.project.id)
    before_details = html.split("<details", 1)[0]
    assert "Modification" in before_details and "<code>update</code>" not in html
    assert "<th scope=\"row\">Échéance</th>" in html and "due_date</th>" not in html
    assert "1 mars 2026" in before_details and "15 avr. 2026" in before_details  # the app's short date form
    assert f"<bdi>{actors.project.name}</bdi></a>" in html  # the entity as a link with its name
    details = html.split("<details", 1)[1]
    assert "<summary>Détails</summary>" in details and "\"due_date\"" in details  # raw JSON only there


def test_filter_options_are_translated(actors, login_as):
    _event(actors.admin, "reassign", "period_report", None, {})
    _event(actors.admin, "invitation_sent", "user", actors.staff.id, {})
    html = login_as("admin").get("/admin/audit/").get_data(as_text=True)
    options = re.findall(r'<option value="([a-z_.]+)"[^>]*>([^<]+)</option>', html)
    untranslated = [(value, text) for value, text in options if value == text.strip()]
    assert untranslated == []


def test_coded_values_read_as_labels(actors, login_as):
    member = actors.project.members[0]
    _event(actors.admin, "update", "member", member.id, {"role": ["employee", "co_founder"], "sex": [None, "F"],
                                                         "ownership_pct": ["0", "50.00"]})
    html = _page(login_as("admin"), entity="member", entity_id=member.id).split("<details", 1)[0]
    assert "Co-fondateur·rice" in html and "Salarié·e" in html and "Femme" in html
    assert "co_founder" not in html and ">F<" not in html
    assert "Part du capital (%)" in html and "ownership_pct" not in html
