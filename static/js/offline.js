/* The phone side of issue 21: service worker, "offline" banner, drafts, queued submissions, logout clearing.
   Settings and translated texts come from the data-config attribute of its own <script> tag (base.html).
   Needs offline_store.js first. */
(function () {
  'use strict';
  const configNode = document.getElementById('offline-script');
  if (!configNode || !configNode.dataset.config || !('indexedDB' in window)) { return; }
  const config = JSON.parse(configNode.dataset.config);
  const text = config.strings;
  const Store = window.MowakabaStore;
  const OWNER = 'mowakaba-offline-owner';
  const LOGOUT_PENDING = 'mowakaba-logout-pending';
  const SYNC_TAG = 'mowakaba-replay';
  const RETRY_CLAIMED_MS = 1000;
  const PROBE_MS = 3000;
  const lang = document.documentElement.lang || 'fr';
  const moment = (iso) => new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

  function notice(message, kind) {
    const main = document.getElementById('main');
    if (!main) { return null; }
    const box = document.createElement('div');
    box.className = 'alert alert-' + (kind || 'info');
    box.setAttribute('role', kind === 'warning' ? 'alert' : 'status');
    box.dataset.offlineNotice = '';
    box.textContent = message;
    main.prepend(box);
    return box;
  }

  async function clearPages() {
    if (!('caches' in window)) { return; }
    for (const name of await caches.keys()) {
      if (name.startsWith('pages-')) { await caches.delete(name); }
    }
  }

  /* Logout, and another account on the same browser: nothing of the previous account stays. */
  async function forgetEverything() {
    await clearPages();
    await Store.clearAll();
    localStorage.removeItem(OWNER);
  }

  async function checkOwner() {
    const owner = config.holder ? String(config.user) : 'none';
    if (config.user === null) { return; }  // signed out: keep the copies of a holder whose session ended
    if (localStorage.getItem(OWNER) !== owner) {
      await forgetEverything();
      localStorage.setItem(OWNER, owner);
    }
  }

  /* Logout clears the phone first, so that it works without a signal too; the server side of a logout made
     offline (ending the session) is done at the next page load with a connection. */
  function watchLogout() {
    for (const form of document.querySelectorAll('form[data-logout]')) {
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        try {
          await forgetEverything();
          if (!navigator.onLine) { localStorage.setItem(LOGOUT_PENDING, '1'); }
        } finally { form.submit(); }
      });
    }
  }

  function finishPendingLogout() {
    const form = document.querySelector('form[data-logout]');
    if (!localStorage.getItem(LOGOUT_PENDING) || !form || !navigator.onLine) { return false; }
    localStorage.removeItem(LOGOUT_PENDING);
    form.submit();  // no submit event: the phone is already clear
    return true;
  }

  function showOfflineBanner() {
    const at = document.documentElement.dataset.offlineAt;
    if (at) { notice(text.banner.replace('%(time)s', moment(at)), 'warning').id = 'offline-banner'; }
  }

  /* ------------------------------------------------------------------ drafts */

  const SKIP = new Set(['csrf_token', '_offline_token', '_idempotency_key']);

  function draftFields(form) {
    const fields = [];
    for (const el of form.elements) {
      if (el.type === 'file' && el.name) {  // a photo or PDF chosen offline stays with the draft
        for (const file of el.files || []) { fields.push([el.name, file]); }
        continue;
      }
      if (!el.name || SKIP.has(el.name) || el.type === 'submit' || el.type === 'button') { continue; }
      if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) { continue; }
      if (el.type === 'hidden' && el.name !== 'version') { continue; }
      fields.push([el.name, el.value]);
    }
    return fields;
  }

  function restore(form, fields) {
    const values = new Map();
    for (const [name, value] of fields) { values.set(name, (values.get(name) || []).concat([value])); }
    for (const el of form.elements) {
      if (!el.name || !values.has(el.name) || el.type === 'submit' || el.type === 'button') { continue; }
      const wanted = values.get(el.name);
      if (el.type === 'file') {
        const transfer = new DataTransfer();
        wanted.filter((value) => value instanceof File).forEach((file) => transfer.items.add(file));
        el.files = transfer.files;
      } else if (el.type === 'checkbox' || el.type === 'radio') {
        el.checked = wanted.includes(el.value);
      } else if (el.type !== 'hidden' || el.name === 'version') {
        el.value = wanted[0];
      }
      el.dispatchEvent(new Event('input', { bubbles: true }));  // totals and shown/hidden fields follow
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }

  let restoring = false;

  /* "Sent": once per page, whether the worker's message or a draft it marked sent tells it first. */
  let sentShown = false;
  function noticeSent() {
    if (!sentShown) { sentShown = true; notice(text.sent, 'success'); }
  }

  /* A submission the worker sent while this page was replacing the one it was typed on: the worker's "sent"
     message went to the old page. The draft it marked sent tells this page, even when the page has no form
     any more (a submitted report is read-only), so the holder is still told, once. */
  async function confirmSentInBackground() {
    const prefix = config.user + ':' + location.pathname + '#';
    for (const draft of await Store.all('drafts')) {
      if (draft.key.startsWith(prefix) && draft.sent && draft.background) {
        await Store.remove('drafts', draft.key);
        noticeSent();
      }
    }
  }

  async function setUpDraft(form) {
    const key = config.user + ':' + location.pathname + '#' + (form.id || '');
    const draft = await Store.get('drafts', key);
    if (draft && draft.sent) {
      await Store.remove('drafts', key);  // the server has answered it: its page shows what it kept
      if (draft.background) { noticeSent(); }
    } else if (draft && draft.user === config.user) {
      restoring = true;
      restore(form, draft.fields);
      restoring = false;
      notice((draft.queued ? text.queued : text.restored).replace('%(time)s', moment(draft.savedAt)),
             draft.queued ? 'warning' : 'info');
    }
    let timer = null;
    const save = () => {
      if (restoring) { return; }
      clearTimeout(timer);
      timer = setTimeout(() => {
        Store.put('drafts', { key, user: config.user, path: location.pathname, fields: draftFields(form),
                              savedAt: new Date().toISOString(), queued: false, sent: false });
      }, 250);
    };
    form.addEventListener('input', save);
    form.addEventListener('change', save);
    // A save still waiting when the form is sent would write the typed values back as an unsent draft
    // (online: restored next time the form opens; offline: over the queued draft).
    form.addEventListener('submit', (event) => onSubmit(event, form, key, () => clearTimeout(timer)), true);
  }

  async function onSubmit(event, form, draftKey, cancelPendingSave) {
    if (event.defaultPrevented) { return; }
    cancelPendingSave();
    event.preventDefault();
    event.stopImmediatePropagation();
    const submitter = event.submitter;
    if (navigator.onLine) {
      await Store.markDraftSent(draftKey);
      if (submitter && submitter.name) {
        const chosen = document.createElement('input');
        chosen.type = 'hidden';
        chosen.name = submitter.name;
        chosen.value = submitter.value;
        form.append(chosen);
      }
      form.submit();
      return;
    }
    const fields = [];
    const maxBytes = parseInt(form.dataset.maxBytes || '0', 10);
    for (const [name, value] of new FormData(form, submitter)) {
      if (value instanceof File && !value.name && !value.size) { continue; }
      if (value instanceof File && maxBytes && value.size > maxBytes) {  // the 10 MB rule, before it waits
        notice(form.dataset.tooLarge.replace('__NAME__', value.name), 'danger');
        return;
      }
      fields.push([name, value]);
    }
    const draft = { key: draftKey, user: config.user, path: location.pathname, fields: draftFields(form),
                    savedAt: new Date().toISOString(), queued: true, sent: false };
    await Store.put('drafts', draft);
    await Store.put('queue', { key: crypto.randomUUID(), user: config.user, draftKey, fields,
                               path: form.getAttribute('action') || location.pathname,
                               token: form.dataset.offlineToken || '', queuedAt: draft.savedAt, claimedAt: null });
    document.querySelectorAll('[data-offline-notice]:not(#offline-banner)').forEach((node) => node.remove());
    const box = notice(text.queued.replace('%(time)s', moment(draft.savedAt)), 'warning');
    if (box) { box.id = 'offline-queued'; box.scrollIntoView({ block: 'center' }); }
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.ready.then((reg) => reg.sync && reg.sync.register(SYNC_TAG)).catch(() => {});
    }
  }

  /* ------------------------------------------------------------------ replay */

  /* Sent as a real form, so that the holder sees the server's answer: the report submitted, or the conflict
     page with their queued values kept. One at a time: the next page load sends the next one.
     An item the service worker is sending is skipped and looked at again a moment later: the worker's
     "needs the page" message may have gone to the page this one replaced, and the item must not wait for
     the holder's next click. A worker that holds it too long loses it to the page (Store.take). */
  let retry = null;
  async function replayOne() {
    if (!navigator.onLine) { return; }
    clearTimeout(retry);
    let again;
    try {
      again = await sendNext();
    } catch (error) {
      again = true;  // the store was busy (another tab upgrading it, a worker's transaction): look again
    }
    if (again) { retry = setTimeout(replayOne, RETRY_CLAIMED_MS); }
  }

  /* True when an item is still waiting and should be looked at again. */
  async function sendNext() {
    const mine = (await Store.all('queue')).filter((item) => item.user === config.user)
      .sort((a, b) => (a.queuedAt < b.queuedAt ? -1 : 1));
    let claimedByWorker = false;
    for (const candidate of mine) {
      const item = await Store.take(candidate.key);
      if (!item) { claimedByWorker = true; continue; }
      await Store.markDraftSent(item.draftKey);
      const form = document.createElement('form');
      form.method = 'post';
      form.action = item.path;
      form.hidden = true;
      const body = Store.replayBody(item);
      const files = new Map();
      for (const [name, value] of body) {
        if (value instanceof Blob) {
          if (!files.has(name)) { files.set(name, new DataTransfer()); }
          files.get(name).items.add(value);
          continue;
        }
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.append(input);
      }
      for (const [name, transfer] of files) {
        const input = document.createElement('input');
        input.type = 'file';
        input.name = name;
        input.multiple = true;
        input.files = transfer.files;
        form.append(input);
        form.enctype = 'multipart/form-data';
      }
      document.body.append(form);
      notice(text.sending, 'info');
      form.submit();
      return false;
    }
    if (!claimedByWorker) { await confirmSentInBackground(); }
    return claimedByWorker;
  }

  async function queueOfThisUser() {
    return (await Store.all('queue')).filter((item) => item.user === config.user).length;
  }

  /* The worker served its kept copy although the phone says it is online: the signal came back a moment before
     the network did, and no `online` event will follow. Look again every few seconds and reload once the
     server answers, so that what is queued is sent without waiting for the holder's next click. */
  async function reloadWhenReachable() {
    if (!localStorage.getItem(LOGOUT_PENDING) && !await queueOfThisUser()) { return; }
    try {
      if (navigator.onLine && (await fetch('/health', { cache: 'no-store' })).ok) { location.reload(); return; }
    } catch (error) { /* still unreachable */ }
    setTimeout(reloadWhenReachable, PROBE_MS);
  }

  /* ------------------------------------------------------------------ start */

  async function start() {
    showOfflineBanner();
    if (config.user === null) { localStorage.removeItem(LOGOUT_PENDING); }
    if (finishPendingLogout()) { return; }
    await checkOwner();
    watchLogout();
    if (!config.holder) { return; }  // nothing of staff, managers or admins is kept on the device
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.addEventListener('message', (event) => {
        if (event.data && event.data.type === 'replayed') { noticeSent(); }
        // The worker met a conflict, errors or a sign-in page: this page sends it and shows the answer.
        if (event.data && event.data.type === 'replay-needs-page') { replayOne(); }
      });
    }
    for (const form of document.querySelectorAll('form[data-offline-draft]')) { await setUpDraft(form); }
    await confirmSentInBackground();  // what setUpDraft left: sent from a form this page no longer shows
    if ('serviceWorker' in navigator) {
      if (config.warm && navigator.onLine) {
        const links = [...new Set([...document.querySelectorAll('#main a[href^="/"]:not([download])')].map((a) => a.href))];
        navigator.serviceWorker.ready.then((reg) => reg.active && reg.active.postMessage({ type: 'warm', urls: links }));
      }
    }
    window.addEventListener('online', async () => {
      // A fresh page load checks the session first; it then sends what is queued (or ends the session).
      if (localStorage.getItem(LOGOUT_PENDING) || await queueOfThisUser()) { location.reload(); }
    });
    if (!document.documentElement.dataset.offlineAt) {
      await replayOne();
    } else if (navigator.onLine) {
      setTimeout(reloadWhenReachable, PROBE_MS);
    }
  }

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
  }
  start();
}());
