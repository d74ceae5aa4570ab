"""The pager of lists computed by a service (`pager_simple`): the first and last pages and two on each side of
the current one, never one link per page (a whole programme's portfolio has 700 pages; issue 20)."""

import re

import pytest


def _pager(app, current: int, pages: int, anchor: str = "") -> str:
    with app.test_request_context("/?mentor=all&page=1"):
        macro = app.jinja_env.get_template("macros/pagination.html").module.pager_simple
        return str(macro(current, pages, anchor))


def _numbers(html: str) -> list[str]:
    return re.findall(r'<a class="page-link" href="[^"]*"(?: aria-current="page")?>(\d+)</a>', html)


@pytest.mark.parametrize("current, pages, numbers, gaps", [
    (350, 700, ["1", "348", "349", "350", "351", "352", "700"], 2),
    (1, 700, ["1", "2", "3", "700"], 1),
    (700, 700, ["1", "698", "699", "700"], 1),
    (3, 5, ["1", "2", "3", "4", "5"], 0),
    (2, 2, ["1", "2"], 0),
])
def test_the_pager_shows_a_window_around_the_current_page(app, current, pages, numbers, gaps):
    html = _pager(app, current, pages)
    assert _numbers(html) == numbers
    assert html.count("…") == gaps
    assert f'href="/?mentor=all&amp;page={current}" aria-current="page">{current}<' in html
    previous, following = re.findall(r'<a class="page-link" href="([^"]*)">(?:Précédent|Suivant)</a>', html)
    assert previous == ("#" if current == 1 else f"/?mentor=all&amp;page={current - 1}")
    assert following == ("#" if current == pages else f"/?mentor=all&amp;page={current + 1}")


def test_one_page_has_no_pager_and_the_anchor_is_kept(app):
    assert _pager(app, 1, 1).strip() == ""
    assert 'page=2#timeline"' in _pager(app, 1, 3, "timeline")
