"""Every page a holder or a staff member reaches, on a 375 px phone (issue 10, point 3).

- No page scrolls sideways: `document.documentElement.scrollWidth <= 375` (wide tables scroll inside their
  `.table-responsive` box instead).
- On holder pages every visible control is a touch target of at least 44 × 44 CSS px. The rule, checked by
  `SMALL_TARGETS` below:
  * counted: a, button, input (not hidden), select, textarea, summary, and the label of a checkbox or radio;
  * a checkbox or radio passes when its label is ≥ 44 × 44 (tapping the label toggles it); a `.btn-check`
    input is visually hidden and only its label counts;
  * exempt: links inline in a sentence (the link shares its block with other text, as WCAG 2.5.8 allows),
    elements not rendered (collapsed menu, hidden, visually-hidden), and the skip link until focused.
The pages are found by following the links of each role's pages (two levels from home, one page per URL
shape), so new pages are covered without editing this list. Screenshots of the holder home, report form and
a milestone page in French and Arabic land in tests/artifacts/screenshots/phone-*.png.
"""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_smoke import log_in, shoot, switch_language

pytestmark = pytest.mark.browser

WIDTH, HEIGHT, MIN_TARGET = 375, 740, 44
PHONE = {"viewport": {"width": WIDTH, "height": HEIGHT}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
SKIP = re.compile(r"(/logout|/evidence/\d+$|\.(xlsx|csv|pdf|png|jpe?g|docx)$|/static/|/language)")
MAX_PAGES = 30

SMALL_TARGETS = """(min) => {
    const visible = el => {
        if (!el.getClientRects().length) return false;
        const s = getComputedStyle(el);
        if (s.visibility === 'hidden' || s.display === 'none') return false;
        const hiders = '.visually-hidden, .visually-hidden-focusable, [hidden], .collapse:not(.show), '
                       + '.dropdown-menu:not(.show)';
        if (el.closest(hiders)) return false;
        const r = el.getBoundingClientRect();
        return r.width > 1 && r.height > 1;
    };
    const inlineInText = a => {
        // A link inside running text: its block holds other words besides the link.
        const block = a.parentElement.closest('p, li, td, dd, span, div, small');
        if (!block) return false;
        const own = (a.innerText || '').trim();
        const all = (block.innerText || '').replace(own, '').trim();
        return all.length > 0 && getComputedStyle(a).display === 'inline';
    };
    const label = el => el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : el.closest('label');
    const out = [];
    const controls = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
    for (const el of document.querySelectorAll(controls)) {
        let target = el;
        if (el.matches('input[type=checkbox], input[type=radio]')) {
            target = label(el) || el;
            if (el.matches('.btn-check')) { if (!visible(target)) continue; }
        }
        if (!visible(target)) continue;
        if (el.tagName === 'A' && inlineInText(el)) continue;
        const r = target.getBoundingClientRect();
        if (r.width + 0.5 < min || r.height + 0.5 < min) {
            const what = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? `[name=${el.name}]` : '');
            const text = (target.innerText || el.value || '').trim().slice(0, 30);
            out.push(`${what} "${text}" ${r.width.toFixed(0)}×${r.height.toFixed(0)}`);
        }
    }
    return out;
}"""


def shape(path: str) -> str:
    """/projects/12/members/3/edit?x=1 → /projects/N/members/N/edit: one page per URL shape."""
    return re.sub(r"/\d+", "/N", re.sub(r"/\d{4}-[A-Z0-9]+$", "/PERIOD", urlparse(path).path))


def crawl(page: Page, base_url: str, limit: int = MAX_PAGES) -> list[str]:
    """Paths reached from home by following links in <main> and the navigation, two levels deep."""
    seen_shapes, found, frontier = set(), [], ["/"]
    for _depth in range(3):
        following = []
        for path in frontier:
            if shape(path) in seen_shapes or len(found) >= limit:
                continue
            response = page.goto(path)
            if response is None or response.status != 200:
                continue
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            seen_shapes.add(shape(path))
            found.append(path)
            hrefs = page.locator("main a[href], header nav a[href]").evaluate_all(
                "links => links.filter(a => a.origin === location.origin).map(a => a.pathname + a.search)")
            following += [h for h in hrefs if not SKIP.search(urlparse(h).path) and shape(h) not in seen_shapes]
        frontier = list(dict.fromkeys(following))
    return found


def overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth") - WIDTH


@pytest.fixture(scope="module")
def phone(browser: Browser, base_url):
    contexts = []

    def _new() -> Page:
        context = browser.new_context(base_url=base_url, locale="fr-FR", **PHONE)
        contexts.append(context)
        return context.new_page()

    yield _new
    for context in contexts:
        context.close()


@pytest.mark.parametrize("code", ["fr", "ar"])
@pytest.mark.parametrize("role", ["holder", "staff"])
def test_no_page_scrolls_sideways_on_a_phone(phone, base_url, demo_password, role, code):
    page = phone()
    log_in(page, base_url, role, demo_password)
    switch_language(page, code)
    paths = crawl(page, base_url)
    assert len(paths) >= (8 if role == "holder" else 15), paths
    too_wide = {}
    for path in paths:
        page.goto(path)
        if overflow(page) > 0:
            too_wide[path] = overflow(page)
    switch_language(page, "fr")
    assert not too_wide, f"pages wider than {WIDTH}px ({role}, {code}): {too_wide}"


@pytest.mark.parametrize("code", ["fr", "ar"])
def test_holder_pages_have_44px_touch_targets(phone, base_url, demo_password, code):
    page = phone()
    log_in(page, base_url, "holder", demo_password)
    switch_language(page, code)
    problems = {}
    for path in crawl(page, base_url):
        page.goto(path)
        small = page.evaluate(SMALL_TARGETS, MIN_TARGET)
        if small:
            problems[path] = small
    switch_language(page, "fr")
    assert not problems, "touch targets under 44×44 px:\n" + "\n".join(
        f"{path}:\n    " + "\n    ".join(items) for path, items in problems.items())


@pytest.mark.parametrize("code", ["fr", "ar"])
def test_phone_screenshots_of_the_holder_pages(phone, base_url, demo_password, screenshots_dir, code,
                                              holder_owes_a_report):
    page = phone()
    log_in(page, base_url, "holder", demo_password)
    switch_language(page, code)
    expect(page.locator("main h1")).to_be_visible()
    shoot(page, screenshots_dir, f"phone-{code}-holder-home")

    report = page.locator("#reports-due a[href*='/period-reports/projects/']").first.evaluate("a => a.pathname")
    project_id = re.search(r"/period-reports/projects/(\d+)/", report).group(1)
    page.goto(f"/milestones/projects/{project_id}")  # the home lists only open milestones; journeys close some
    milestone = page.locator("main a[href^='/milestones/']:not([href*='/projects/']):not([href$='/new'])").first \
        .evaluate("a => a.pathname")
    page.goto(report)
    expect(page.locator("#report-form")).to_be_visible()
    assert overflow(page) <= 0
    shoot(page, screenshots_dir, f"phone-{code}-report-form")

    page.goto(milestone)
    expect(page.locator("main h1")).to_be_visible()
    assert overflow(page) <= 0
    shoot(page, screenshots_dir, f"phone-{code}-milestone")
    switch_language(page, "fr")
