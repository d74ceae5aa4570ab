"""Issue 14: a project of the file is a project of the cohort only when number and name agree; the same number
with another name is a conflict that nothing resolves but the user's choice, project by project.

The acceptance case is the demo cohort (`flask demo load`: P01…P32 with their own names) and the forum sample
(P01…P32 with other names). The expected conflicts are computed here from the demo's data module and the
sample sheet, with a plain comparison of the folded names, not from the import code.
"""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tests import factories
from tests.imports.conftest import REFERENCE_DATE, SAMPLE_XLSX, sample_rows, xlsx_bytes
from tracker.cohorts.models import Cohort
from tracker.core.audit import AuditEvent
from tracker.core.folding import fold
from tracker.demo import data as demo_data
from tracker.extensions import db
from tracker.imports import services
from tracker.imports.plan import Choices
from tracker.projects.models import Member, Project

DEMO_SLUG = "innov-impact-demo-safi"
REJECTED_IN_FILE = {"P13", "P31"}  # README: two leads, unknown sector
KEY, NAME, FULL_NAME, LEAD, SHARE = 0, 1, 9, 13, 14


def load_demo(runner) -> Cohort:
    result = runner.invoke(args=["demo", "load", "--password", "x-long-password"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(sa.select(Cohort).where(Cohort.slug == DEMO_SLUG))


def file_names() -> dict[str, str]:
    names = {}
    for row in sample_rows()[1:]:
        if row[NAME] and str(row[NAME]).strip():
            names.setdefault(row[KEY], " ".join(str(row[NAME]).split()))
    return names


def expected_conflicts() -> set[str]:
    demo = {p.code: p.name for p in demo_data.PROJECTS}
    return {key for key, name in file_names().items()
            if key in demo and fold(demo[key]) != fold(name) and key not in REJECTED_IN_FILE}


def snapshot(cohort) -> dict:
    """Every project of the cohort with its fields and team, to prove nothing changed."""
    db.session.expire_all()
    projects = db.session.scalars(sa.select(Project).where(Project.cohort_id == cohort.id)
                                  .options(selectinload(Project.members)))
    return {p.id: (p.code, p.name, p.sector, p.stage, p.legal_form, p.province, p.commune, p.version,
                   sorted((m.id, m.full_name, m.is_lead, m.ownership_pct, m.version) for m in p.members))
            for p in projects}


def test_demo_cohort_and_sample_give_one_conflict_per_project_whose_name_differs(runner, staff):
    cohort = load_demo(runner)
    before = snapshot(cohort)
    preview = services.preview_import(cohort, SAMPLE_XLSX.read_bytes(), "f.xlsx", today=REFERENCE_DATE)
    assert {p.key for p in preview.conflicts} == expected_conflicts() and len(expected_conflicts()) == 30
    assert all(p.action == "conflict" and p.choice is None for p in preview.conflicts)
    assert [p.key for p in preview.projects[:30]] == sorted(expected_conflicts())  # conflicts first
    assert {p.key for p in preview.projects if p.action == "rejected"} == REJECTED_IN_FILE
    assert not [p for p in preview.projects if p.action in ("create", "update")]
    # no false ownership error: the file's teams are judged on their own while nobody chose to merge them
    assert "ownership_over_100" not in {i.code for i in preview.issues}
    # the conflict shows what "update" would change, to help choose
    p01 = next(p for p in preview.conflicts if p.key == "P01")
    assert p01.existing_name == "Souk Abda en ligne" and p01.changes["name"] == ("Souk Abda en ligne",
                                                                                  "SafiCode Academy")
    # and nothing changes without a choice, even when importing the valid rows only
    try:
        services.run_import(staff, cohort, SAMPLE_XLSX.read_bytes(), "f.xlsx", skip_invalid=True,
                            today=REFERENCE_DATE)
    except services.ImportConflicts as error:
        assert len(error.preview.unresolved) == 30
    else:
        raise AssertionError("conflicts without a choice must stop the import")
    assert snapshot(cohort) == before


def test_each_choice_does_what_it_says(runner, staff):
    cohort = load_demo(runner)
    before = snapshot(cohort)
    p01 = db.session.scalar(sa.select(Project).where(Project.cohort_id == cohort.id, Project.code == "P01"))
    old_p01_members = {m.id: m.full_name for m in p01.members}
    choices = Choices({"p01": "update", "p02": "new", "p03": "skip"}, default="skip", remove_missing=True)
    preview = services.run_import(staff, cohort, SAMPLE_XLSX.read_bytes(), "f.xlsx", skip_invalid=True,
                                  today=REFERENCE_DATE, choices=choices)
    db.session.flush()
    after = snapshot(cohort)
    actions = {p.key: (p.action, p.code) for p in preview.conflicts}
    assert actions["P01"] == ("update", "P01") and actions["P02"] == ("create", "P33")
    assert actions["P03"] == ("skipped", "P03") and actions["P04"] == ("skipped", "P04")

    # update: the demo's P01 takes the file's name and team; its old members are removed (chosen), audited
    db.session.expire_all()
    p01 = db.session.get(Project, p01.id)
    assert p01.name == "SafiCode Academy" and {m.full_name for m in p01.members} == {
        " ".join(str(r[FULL_NAME]).split()) for r in sample_rows()[1:] if r[KEY] == "P01"}
    removals = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "delete",
                                                              AuditEvent.entity_type == "member")).all()
    assert {e.entity_id for e in removals} == set(old_p01_members)
    assert all(e.changes["full_name"][0] == old_p01_members[e.entity_id] for e in removals)
    # new: a new project P33 with the file's P02; the demo's P02 untouched
    new = db.session.scalar(sa.select(Project).where(Project.cohort_id == cohort.id, Project.code == "P33"))
    assert new.name == "Bahr Tracker" and {m.full_name for m in new.members} == {
        " ".join(str(r[FULL_NAME]).split()) for r in sample_rows()[1:] if r[KEY] == "P02"}  # row 5 is a copy
    demo_p02 = next(pid for pid, v in before.items() if v[0] == "P02")
    assert after[demo_p02] == before[demo_p02]
    # skip: every other project exactly as it was
    untouched = {pid for pid, v in before.items() if v[0] not in ("P01", "P02")}
    assert {pid: after[pid] for pid in untouched} == {pid: before[pid] for pid in untouched}
    assert len(after) == len(before) + 1
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "import"))
    assert event.changes["conflicts"]["P02"] == {"choice": "new", "existing_name": "Hydro Abda",
                                                 "name": "Bahr Tracker", "code": "P33"}


def test_reimporting_the_same_file_into_its_own_cohort_changes_nothing(staff, cohort, expected):
    services.run_import(staff, cohort, SAMPLE_XLSX.read_bytes(), "f.xlsx", skip_invalid=True, today=REFERENCE_DATE)
    db.session.flush()
    again = services.preview_import(cohort, SAMPLE_XLSX.read_bytes(), "f.xlsx", today=REFERENCE_DATE)
    assert again.conflicts == [] and not again.has_changes
    assert again.summary.projects_unchanged == expected["valid_projects"]
    assert again.summary.members_created == again.summary.members_updated == 0
    assert {i.code for i in again.issues} == {e["code"] for e in expected["errors"]}  # no false ownership error
    assert again.warnings == []


def test_a_small_edit_of_the_name_is_the_same_project(staff, cohort):
    services.run_import(staff, cohort, SAMPLE_XLSX.read_bytes(), "f.xlsx", skip_invalid=True, today=REFERENCE_DATE)
    rows = sample_rows()
    for row in rows[1:]:
        if row[KEY] == "P28":
            row[NAME] = "Couscous Beladi"  # "Couscous Bladi " in the file: one letter more
        if row[KEY] == "P25":
            row[NAME] = "تعاونيه نسيم البحر"  # taa marbuta written as haa
    preview = services.preview_import(cohort, xlsx_bytes(rows), "f.xlsx", today=REFERENCE_DATE)
    assert preview.conflicts == []
    changed = {p.key: p.changes for p in preview.projects if p.action == "update"}
    assert changed == {"P28": {"name": ("Couscous Bladi", "Couscous Beladi")},
                       "P25": {"name": ("تعاونية نسيم البحر", "تعاونيه نسيم البحر")}}


def test_the_team_rules_apply_to_the_team_after_the_import(staff, cohort):
    """Existing: Lead 60 % + Other 40 %. The file lists both with the same shares: 100 %, never 200 %. A file
    listing only a new member at 50 % keeps the others: 150 %, an error saying why; removing them fixes it."""
    project = factories.ProjectFactory(cohort=cohort, code="P01", name="Atelier Nour", lead=False)
    factories.MemberFactory(project=project, full_name="Salma Lead", is_lead=True, ownership_pct=60)
    factories.MemberFactory(project=project, full_name="Omar Autre", ownership_pct=40)
    header = ["N° projet", "Nom du projet", "Secteur", "Nom complet", "Porteur principal", "Part du capital (%)",
              "Date de consentement", "Sexe"]
    same = [header, ["P01", "Atelier Nour", "Numérique", "Salma Lead", "Oui", "60", "01/03/2025", "F"],
            ["P01", "Atelier Nour", "Numérique", "Omar Autre", "Non", "40", "01/03/2025", "H"]]
    preview = services.preview_import(cohort, xlsx_bytes(same), "f.xlsx", today=REFERENCE_DATE)
    assert preview.issues == [] and preview.projects[0].team.ownership_total == 100
    assert preview.projects[0].team.women_led and preview.projects[0].team.leads == 1

    newcomer = [header, ["P01", "Atelier Nour", "Numérique", "Hamza Neuf", "Oui", "50", "01/03/2025", "H"]]
    kept = services.preview_import(cohort, xlsx_bytes(newcomer), "f.xlsx", today=REFERENCE_DATE)
    assert [i.code for i in kept.issues] == ["ownership_over_100"]
    assert "150 %" in str(kept.issues[0].message) and "100 %" in str(kept.issues[0].message)
    removed = services.preview_import(cohort, xlsx_bytes(newcomer), "f.xlsx", today=REFERENCE_DATE,
                                      choices=Choices(remove_missing=True))
    assert removed.issues == []
    change = removed.projects[0]
    assert [(m.name, m.action) for m in change.members] == [
        ("Hamza Neuf", "create"), ("Salma Lead", "removed"), ("Omar Autre", "removed")]
    # the lead is now a man and the women hold nothing: not women-led any more
    assert change.team.ownership_total == 50 and not change.team.women_led and change.team.members == 1


def test_members_missing_from_the_file_are_kept_unless_removal_is_chosen(staff, cohort):
    project = factories.ProjectFactory(cohort=cohort, code="P01", name="Atelier Nour", lead=False)
    factories.MemberFactory(project=project, full_name="Salma Lead", is_lead=True)
    absent = factories.MemberFactory(project=project, full_name="Omar Absent")
    header = ["N° projet", "Nom du projet", "Secteur", "Nom complet", "Porteur principal", "Date de consentement"]
    data = xlsx_bytes([header, ["P01", "Atelier Nour", "Numérique", "Salma Lead", "Oui", "01/03/2025"]])
    kept = services.run_import(staff, cohort, data, "f.xlsx", skip_invalid=False, today=REFERENCE_DATE)
    assert [(m.name, m.action) for m in kept.projects[0].members] == [("Salma Lead", "update"),
                                                                       ("Omar Absent", "kept")]
    assert db.session.get(Member, absent.id) is not None
    removed = services.run_import(staff, cohort, data, "f.xlsx", skip_invalid=False, today=REFERENCE_DATE,
                                  choices=Choices(remove_missing=True))
    db.session.flush()
    assert removed.summary.members_removed == 1 and db.session.get(Member, absent.id) is None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "delete",
                                                          AuditEvent.entity_id == absent.id))
    assert event.entity_type == "member" and event.changes["full_name"] == ["Omar Absent", None]


def test_a_new_number_skips_the_numbers_of_the_cohort_and_of_the_file(staff, cohort):
    for code, name in (("P01", "Ancien Un"), ("P02", "Ancien Deux")):
        factories.ProjectFactory(cohort=cohort, code=code, name=name)
    header = ["N° projet", "Nom du projet", "Secteur", "Nom complet", "Porteur principal", "Date de consentement"]
    rows = [header, ["P01", "Nouveau Un", "Numérique", "Salma A", "Oui", "01/03/2025"],
            ["P03", "Nouveau Trois", "Numérique", "Omar B", "Oui", "01/03/2025"]]
    preview = services.run_import(staff, cohort, xlsx_bytes(rows), "f.xlsx", skip_invalid=False,
                                  today=REFERENCE_DATE, choices=Choices(default="new"))
    assert {p.key: p.code for p in preview.projects} == {"P01": "P04", "P03": "P03"}


# ---------------------------------------------------------------- command line

def run(runner, *options, slug=DEMO_SLUG):
    return runner.invoke(args=["import", "projects", str(SAMPLE_XLSX), "--cohort", slug, "--skip-invalid",
                               *options])


def test_cli_stops_on_conflicts_and_each_choice_does_what_it_says(runner):
    cohort = load_demo(runner)
    before = snapshot(cohort)
    stopped = run(runner)
    assert stopped.exit_code == 1 and "30 conflict(s)" in stopped.output and "--on-conflict" in stopped.output
    assert "P01: file 'SafiCode Academy', cohort 'Souk Abda en ligne' → no choice" in stopped.output
    assert snapshot(cohort) == before

    skipped = run(runner, "--on-conflict", "skip")
    assert skipped.exit_code == 0, skipped.output
    assert snapshot(cohort) == before

    created = run(runner, "--on-conflict", "new")
    assert created.exit_code == 0, created.output
    db.session.expire_all()
    codes = set(db.session.scalars(sa.select(Project.code).where(Project.cohort_id == cohort.id)))
    assert codes == {f"P{n:02d}" for n in range(1, 63)}  # 32 demo projects + 30 new ones, P33…P62
    assert {k: v for k, v in snapshot(cohort).items() if k in before} == before


def test_cli_update_with_member_removal(runner):
    cohort = load_demo(runner)
    updated = run(runner, "--on-conflict", "update", "--remove-missing-members")
    assert updated.exit_code == 0, updated.output
    db.session.expire_all()
    p30 = db.session.scalar(sa.select(Project).where(Project.cohort_id == cohort.id, Project.code == "P30"))
    assert p30.name == "Sardine Dorée"
    assert {m.full_name for m in p30.members} == {" ".join(str(r[FULL_NAME]).split())
                                                  for r in sample_rows()[1:] if r[KEY] == "P30"}
    assert "members removed" in updated.output
