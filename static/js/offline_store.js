/* Drafts and queued submissions kept on the phone (issue 21), in IndexedDB.
   Loaded by the pages (offline.js) and by the service worker (sw.js), which both replay the queue: an item is
   taken or claimed inside one IndexedDB transaction, so the two never send it at the same time, and the
   server drops a second copy anyway (idempotency key). */
(function (scope) {
  'use strict';
  const DB_NAME = 'mowakaba-offline';
  const STALE_CLAIM_MS = 2 * 60 * 1000;
  /* The page does not wait that long: a send that never settles (a lost connection the phone has not noticed,
     a worker stopped mid-send) would leave the holder's submission hanging for minutes. After this delay the
     page sends the item itself; should the worker's copy arrive too, the server drops it (idempotency key). */
  const PAGE_TAKEOVER_MS = 10 * 1000;

  /* Period reports moved from /reports/… to /period-reports/… (issue 16). Version 2 of the database moves the
     drafts and queued submissions kept before that, so a draft is found again on its page, and the worker
     does not send a queued form through the server's redirect (a form redrawn with its errors after a redirect
     would look like a success). */
  const MOVED = /^\/reports\/(?=due\b|review\b|projects\/|\d)/;
  const movedPath = (path) => (path || '').replace(MOVED, '/period-reports/');
  function movedKey(key) {
    const at = key.indexOf(':/');  // user + ':' + path + '#' + form id
    return at < 0 ? key : key.slice(0, at + 1) + movedPath(key.slice(at + 1));
  }

  function movePeriodReports(tx) {
    const drafts = tx.objectStore('drafts');
    drafts.openCursor().onsuccess = (event) => {
      const cursor = event.target.result;
      if (!cursor) { return; }
      const draft = cursor.value;
      const key = movedKey(draft.key);
      if (key !== draft.key) {
        cursor.delete();
        drafts.put(Object.assign({}, draft, { key, path: movedPath(draft.path) }));
      }
      cursor.continue();
    };
    tx.objectStore('queue').openCursor().onsuccess = (event) => {
      const cursor = event.target.result;
      if (!cursor) { return; }
      const item = cursor.value;
      cursor.update(Object.assign({}, item, { path: movedPath(item.path),
                                              draftKey: item.draftKey && movedKey(item.draftKey) }));
      cursor.continue();
    };
  }

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 2);
      request.onupgradeneeded = (event) => {
        const db = request.result;
        if (event.oldVersion < 1) {
          db.createObjectStore('drafts', { keyPath: 'key' });
          db.createObjectStore('queue', { keyPath: 'key' });
        } else if (event.oldVersion < 2) {
          movePeriodReports(request.transaction);
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function run(storeName, mode, work) {
    const db = await open();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(storeName, mode);
        const store = tx.objectStore(storeName);
        let result;
        Promise.resolve(work(store, (value) => { result = value; })).catch(reject);
        tx.oncomplete = () => resolve(result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
    } finally {
      db.close();
    }
  }

  const request = (req) => new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });

  function get(storeName, key) {
    return run(storeName, 'readonly', async (store, done) => done(await request(store.get(key))));
  }

  function put(storeName, value) {
    return run(storeName, 'readwrite', (store) => { store.put(value); });
  }

  function remove(storeName, key) {
    return run(storeName, 'readwrite', (store) => { store.delete(key); });
  }

  function all(storeName) {
    return run(storeName, 'readonly', async (store, done) => done(await request(store.getAll())));
  }

  /* The page takes an item to submit it as a real form: removed in the same transaction that finds it. */
  function take(key) {
    return run('queue', 'readwrite', async (store, done) => {
      const item = await request(store.get(key));
      if (!item || (item.claimedAt && Date.now() - item.claimedAt < PAGE_TAKEOVER_MS)) { done(null); return; }
      store.delete(key);
      done(item);
    });
  }

  /* The service worker claims an item while it sends it in the background, and releases it on failure. */
  function claim(key) {
    return run('queue', 'readwrite', async (store, done) => {
      const item = await request(store.get(key));
      if (!item || (item.claimedAt && Date.now() - item.claimedAt < STALE_CLAIM_MS)) { done(null); return; }
      item.claimedAt = Date.now();
      store.put(item);
      done(item);
    });
  }

  async function release(key, changes) {
    return run('queue', 'readwrite', async (store) => {
      const item = await request(store.get(key));
      if (item) { store.put(Object.assign(item, changes, { claimedAt: null })); }
    });
  }

  /* The body of a replay: the fields as typed (with the CSRF token and version the form was opened with),
     plus the signed replay token and the idempotency key. */
  function replayBody(item) {
    const body = new FormData();
    for (const [name, value] of item.fields) {
      if (value instanceof Blob) { body.append(name, value, value.name || 'file'); } else { body.append(name, value); }
    }
    body.append('_offline_token', item.token || '');
    body.append('_idempotency_key', item.key);
    return body;
  }

  /* `background`: sent by the service worker, whose answer (the server's flash) no page showed. */
  async function markDraftSent(draftKey, background) {
    const draft = await get('drafts', draftKey);
    if (draft) { Object.assign(draft, { sent: true, queued: false, background: !!background }); await put('drafts', draft); }
  }

  async function clearAll() {
    await run('drafts', 'readwrite', (store) => { store.clear(); });
    await run('queue', 'readwrite', (store) => { store.clear(); });
  }

  scope.MowakabaStore = { get, put, remove, all, take, claim, release, replayBody, markDraftSent, clearAll };
}(self));
