"""Issue 16: period reports moved from /reports/… to /period-reports/…. A phone that kept drafts and queued
submissions under the old addresses gets them moved when offline_store.js opens its database at version 2, so
the draft is found again on its page and the queued form is sent to the new address."""

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

OLD_KEY = "7:/reports/projects/3/2025-T1#report-form"
NEW_KEY = "7:/period-reports/projects/3/2025-T1#report-form"

MAKE_VERSION_1 = """async ([oldKey]) => {
  await new Promise((resolve) => { const r = indexedDB.deleteDatabase('mowakaba-offline');
                                   r.onsuccess = r.onerror = r.onblocked = resolve; });
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open('mowakaba-offline', 1);
    r.onupgradeneeded = () => { r.result.createObjectStore('drafts', { keyPath: 'key' });
                                r.result.createObjectStore('queue', { keyPath: 'key' }); };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  await new Promise((resolve, reject) => {
    const tx = db.transaction(['drafts', 'queue'], 'readwrite');
    tx.objectStore('drafts').put({ key: oldKey, user: '7', path: '/reports/projects/3/2025-T1', fields: { a: ['1'] } });
    tx.objectStore('drafts').put({ key: '7:/milestones/4#f', user: '7', path: '/milestones/4', fields: {} });
    tx.objectStore('queue').put({ key: 'q1', user: '7', path: '/reports/projects/3/2025-T1', draftKey: oldKey });
    tx.objectStore('queue').put({ key: 'q2', user: '7', path: '/reports/12/review',
                                  draftKey: '7:/reports/12/review#f' });
    tx.objectStore('queue').put({ key: 'q3', user: '7', path: '/milestones/4', draftKey: '7:/milestones/4#f' });
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}"""


def test_version_2_moves_what_was_kept_under_the_old_addresses(page: Page):
    page.goto("/login")
    page.evaluate(MAKE_VERSION_1, [OLD_KEY])
    drafts = page.evaluate("async () => (await MowakabaStore.all('drafts')).map((d) => [d.key, d.path, d.fields])")
    queue = page.evaluate("async () => (await MowakabaStore.all('queue')).map((q) => [q.key, q.path, q.draftKey])")
    assert sorted(drafts) == sorted([[NEW_KEY, "/period-reports/projects/3/2025-T1", {"a": ["1"]}],
                                     ["7:/milestones/4#f", "/milestones/4", {}]])
    assert sorted(queue) == [["q1", "/period-reports/projects/3/2025-T1", NEW_KEY],
                             ["q2", "/period-reports/12/review", "7:/period-reports/12/review#f"],
                             ["q3", "/milestones/4", "7:/milestones/4#f"]]
