from tests.factories import ProjectFactory, UserFactory
from tracker.extensions import db


def test_staff_home_is_their_own_portfolio(actors, login_as):
    mine = ProjectFactory(cohort=actors.cohort, name="Projet Suivi Par Moi")
    mine.staff = [actors.staff]
    theirs = ProjectFactory(cohort=actors.cohort, name="Projet D'Une Collègue")
    theirs.staff = [UserFactory(role="staff")]
    db.session.flush()
    page = login_as("staff").get("/?mentor=all").get_data(as_text=True)  # staff cannot widen the view
    assert "Projet Suivi Par Moi" in page and "Projet D&#39;Une Collègue" not in page
    assert "Mon portefeuille" in page


def test_managers_see_every_mentor_and_can_filter_by_one(actors, login_as):
    colleague = UserFactory(role="staff", display_name="Mentor Filtré")
    theirs = ProjectFactory(cohort=actors.cohort, name="Projet Du Mentor Filtré")
    theirs.staff = [colleague]
    mine = ProjectFactory(cohort=actors.cohort, name="Projet Autre Mentor")
    mine.staff = [actors.staff]
    db.session.flush()
    client = login_as("manager")
    everyone = client.get("/").get_data(as_text=True)
    assert "Projet Du Mentor Filtré" in everyone and "Projet Autre Mentor" in everyone
    one = client.get(f"/?mentor={colleague.id}").get_data(as_text=True)
    assert "Projet Du Mentor Filtré" in one and "Projet Autre Mentor" not in one


def test_holder_home_lists_only_their_projects(actors, login_as):
    page = login_as("holder").get("/").get_data(as_text=True)
    assert actors.project.name in page and actors.other_project.name not in page
    assert "Mon portefeuille" not in page


def test_the_red_bar_follows_the_attention_score(actors, login_as):
    """Issue 18: the portfolio's red bar is the cohort report's attention score above zero."""
    import datetime as dt

    import lxml.html

    from tests.factories import CohortFactory
    from tests.mentoring.factories import MentoringSessionFactory

    cohort = CohortFactory(start_date=dt.date.today() - dt.timedelta(days=10), end_date=None)  # nothing owed yet
    calm, quiet = (ProjectFactory(cohort=cohort, name=name) for name in ("Projet Calme", "Projet Silencieux"))
    calm.staff = quiet.staff = [actors.staff]
    MentoringSessionFactory(project=calm, mentor=actors.staff, date=dt.date.today())
    db.session.flush()
    tree = lxml.html.fromstring(login_as("staff").get(f"/?cohort={cohort.id}").get_data(as_text=True))
    rows = {row.xpath(".//td[1]/a")[0].text_content(): row for row in tree.xpath("//table[contains(@class, "
                                                                                  "'portfolio')]/tbody/tr")}
    assert rows["Projet Silencieux"].get("data-score") == "15"  # never mentored
    assert "needs-attention" in (rows["Projet Silencieux"].get("class") or "")
    assert rows["Projet Calme"].get("data-score") == "0" and not rows["Projet Calme"].get("class")
    assert list(rows) == ["Projet Silencieux", "Projet Calme"]
