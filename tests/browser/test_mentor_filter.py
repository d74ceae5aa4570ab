"""The mentor filter of the list pages is a staff picker (issue 20): the page no longer lists every staff member,
the person types a name, chooses, and the list is filtered on that person, in French and in Arabic."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from tests.browser.conftest import pick
from tests.browser.test_smoke import log_in, shoot, switch_language

pytestmark = pytest.mark.browser


def busiest_mentor(database: str) -> tuple[int, str]:
    engine = sa.create_engine(database)
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(sa.text(
                "SELECT u.id, u.display_name FROM users u JOIN project_staff ps ON ps.user_id = u.id "
                "WHERE u.role = 'staff' AND u.active GROUP BY u.id, u.display_name "
                "ORDER BY count(*) DESC, u.id LIMIT 1")).one())
    finally:
        engine.dispose()


@pytest.mark.parametrize("code", ["fr", "ar"])
def test_a_manager_filters_the_projects_on_a_mentor_typed_in_the_picker(
        browser: Browser, base_url, demo_password, demo_database, screenshots_dir, code):
    mentor_id, mentor = busiest_mentor(demo_database)
    context = browser.new_context(base_url=base_url, locale="fr-FR")
    page = context.new_page()
    try:
        log_in(page, base_url, "manager", demo_password)
        switch_language(page, code)
        page.goto("/projects/")
        expect(page.locator("#f-staff option")).to_have_count(1)  # "all" only: nobody chosen yet
        pick(page, "f-staff", mentor)
        with page.expect_navigation():
            page.locator("main form[role=search] button[type=submit]").first.click()
        expect(page).to_have_url(re.compile(rf"[?&]staff={mentor_id}(&|$)"))
        rows = page.locator("main tbody tr")
        expect(rows.first).to_be_visible()
        for row in rows.all():
            expect(row).to_contain_text(mentor)
        # the chosen person stays shown in the picker after the page reloads
        shown = page.locator(f".ts-wrapper:has(#f-staff-ts-control) .item[data-value='{mentor_id}']")
        expect(shown).to_have_text(mentor)
        shoot(page, screenshots_dir, f"{code}-projects-mentor-filter")
    finally:
        switch_language(page, "fr")
        context.close()
