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


def test_the_portfolio_lists_the_most_urgent_open_items_and_links_to_all(actors, login_as):
    """A mentor's page had about seventy open items, each with its form: it shows the most urgent ones, says
    how many there are, and shows them all on demand, with the filters kept."""
    import datetime as dt
    import urllib.parse

    import lxml.html

    from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory
    from tracker.portfolio.views import ITEMS_SHOWN

    project = ProjectFactory(cohort=actors.cohort, name="Projet Aux Nombreuses Actions")
    project.staff = [actors.staff]
    session = MentoringSessionFactory(project=project, mentor=actors.staff)
    start = dt.date.today() - dt.timedelta(days=3)
    for n in range(ITEMS_SHOWN + 5):
        ActionItemFactory(session=session, description=f"Action numéro {n:02d}", due_date=start + dt.timedelta(n))
    db.session.flush()
    client = login_as("staff")

    def items(url):
        tree = lxml.html.fromstring(client.get(url).get_data(as_text=True))
        section = tree.xpath("//section[@aria-labelledby='items-title']")[0]
        texts = [li.xpath("./div/div[1]")[0].text_content().strip() for li in section.xpath(".//li")]
        return section, texts

    section, shown = items(f"/?cohort={actors.cohort.id}")
    assert len(shown) == ITEMS_SHOWN
    assert shown[0].startswith("Action numéro 00") and "en retard" in shown[0]  # overdue first
    assert shown[-1].startswith(f"Action numéro {ITEMS_SHOWN - 1:02d}")
    note = section.xpath(".//p[@data-items-shown]")[0]
    assert f"Les {ITEMS_SHOWN} plus urgentes sur {ITEMS_SHOWN + 5}." in " ".join(note.text_content().split())
    link = urllib.parse.urlsplit(note.xpath(".//a")[0].get("href"))
    assert urllib.parse.parse_qs(link.query) == {"cohort": [str(actors.cohort.id)], "items": ["all"]}
    assert link.fragment == "items-title"

    section, every = items(f"{link.path}?{link.query}")
    assert len(every) == ITEMS_SHOWN + 5 and every[:ITEMS_SHOWN] == shown
    assert not section.xpath(".//p[@data-items-shown]")


def test_the_open_items_note_is_translated(actors, login_as):
    from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory
    from tracker.portfolio.views import ITEMS_SHOWN

    project = ProjectFactory(cohort=actors.cohort)
    project.staff = [actors.staff]
    session = MentoringSessionFactory(project=project, mentor=actors.staff)
    for _ in range(ITEMS_SHOWN + 1):
        ActionItemFactory(session=session)
    db.session.flush()
    client = login_as("staff")
    for lang, text in (("en", "See all open action items"), ("ar", "عرض كل الإجراءات المفتوحة")):
        client.post("/language", data={"locale": lang})
        assert text in client.get("/").get_data(as_text=True)


def test_the_mentors_and_the_flags_are_shown_where_they_were(actors, login_as):
    """The portfolio loads the projects' staff only for the pages that show them (managers', every mentor),
    and only the members' columns the youth and women flags read."""
    import datetime as dt

    from tests.factories import MemberFactory

    colleague = UserFactory(role="staff", display_name="Mentor Montré")
    project = ProjectFactory(cohort=actors.cohort, name="Projet Mené Par Une Jeune Femme")
    project.staff = [colleague, actors.staff]
    db.session.flush()
    lead = next((m for m in project.members if m.is_lead), None) or MemberFactory(project=project, is_lead=True)
    lead.sex, lead.birth_date = "F", dt.date.today() - dt.timedelta(days=365 * 25)
    db.session.flush()
    for role, mentor_shown in (("manager", True), ("staff", False)):
        page = login_as(role).get(f"/?cohort={actors.cohort.id}&mentor=all").get_data(as_text=True)
        assert "Projet Mené Par Une Jeune Femme" in page
        assert ("Mentor Montré" in page) is mentor_shown
        assert "Portée par des femmes" in page and "Portée par un·e jeune" in page
