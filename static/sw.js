/* Mowakaba service worker (issue 21). The /sw.js route puts `const MOWAKABA = {version, shell}` above this
   text; a new version (new code or a changed shell file) installs a new worker, which deletes the old caches.

   - The app shell (CSS, JS, fonts, icons) is kept at install and served from the cache.
   - Pages: network first. A response is kept only when the server allows it (no `no-store`: only a holder's
     own pages, tracker/offline/caching.py); any other answer for that address removes the kept copy, so a
     staff page is never stored and never served from here. Offline, the kept copy is served with the time it
     was saved, which offline.js shows in the "offline" banner.
   - Background Sync sends the queued submissions when the connection returns (offline_store.js). */
/* global MOWAKABA, MowakabaStore */
'use strict';
importScripts('/static/js/offline_store.js');

const SHELL_CACHE = 'shell-' + MOWAKABA.version;
const PAGES_CACHE = 'pages-' + MOWAKABA.version;
const SYNC_TAG = 'mowakaba-replay';

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(MOWAKABA.shell)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== SHELL_CACHE && name !== PAGES_CACHE) { await caches.delete(name); }
    }
    await self.clients.claim();
  })());
});

function mayKeep(response) {
  return response.ok && response.type === 'basic' && !response.redirected
    && !/no-store/i.test(response.headers.get('Cache-Control') || '')
    && /text\/html/i.test(response.headers.get('Content-Type') || '');
}

async function keepOrForget(request, response) {
  const cache = await caches.open(PAGES_CACHE);
  if (!mayKeep(response)) { await cache.delete(request, { ignoreVary: true }); return; }
  const headers = new Headers(response.headers);
  headers.set('X-Cached-At', new Date().toISOString());
  const body = await response.clone().blob();
  await cache.put(request, new Response(body, { status: response.status, statusText: response.statusText, headers }));
}

async function fromCache(request) {
  const cache = await caches.open(PAGES_CACHE);
  const kept = await cache.match(request, { ignoreVary: true });
  if (!kept) { return null; }
  const at = (kept.headers.get('X-Cached-At') || '').replace(/[^0-9TZ:.-]/g, '');
  const text = (await kept.text()).replace('<html ', `<html data-offline-at="${at}" `);
  return new Response(text, { status: 200, headers: kept.headers });
}

async function page(event) {
  try {
    const response = await fetch(event.request);
    event.waitUntil(keepOrForget(event.request, response.clone()));
    return response;
  } catch (error) {
    const kept = await fromCache(event.request);
    if (kept) { return kept; }
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) { return; }
  if (url.pathname.startsWith('/static/')) {
    event.respondWith(caches.match(request, { cacheName: SHELL_CACHE }).then((hit) => hit || fetch(request)));
  } else if (request.mode === 'navigate') {
    event.respondWith(page(event));
  }
});

/* The holder home asks for its links to be fetched now, so the project, milestones and owed report forms are
   there offline even if the holder never opened them. */
async function warm(urls) {
  for (const href of urls.slice(0, 40)) {
    const url = new URL(href, self.location.origin);
    if (url.origin !== self.location.origin || url.pathname.startsWith('/static/')) { continue; }
    try {
      const response = await fetch(url, { credentials: 'same-origin', redirect: 'manual' });
      await keepOrForget(new Request(url), response);
    } catch (error) {
      return;  // the connection went: the pages already kept stay as they are
    }
  }
}

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'warm' && Array.isArray(event.data.urls)) {
    event.waitUntil(warm(event.data.urls));
  }
});

async function notify(message) {
  for (const client of await self.clients.matchAll({ type: 'window' })) { client.postMessage(message); }
}

async function replayQueue() {
  for (const queued of await MowakabaStore.all('queue')) {
    const item = await MowakabaStore.claim(queued.key);
    if (!item) { continue; }
    let response;
    try {
      response = await fetch(item.path, { method: 'POST', body: MowakabaStore.replayBody(item), credentials: 'same-origin' });
    } catch (error) {
      await MowakabaStore.release(item.key, {});
      throw error;  // still offline: the browser tries the sync again later
    }
    if (response.redirected && new URL(response.url).pathname !== '/login') {
      await MowakabaStore.remove('queue', item.key);
      await MowakabaStore.markDraftSent(item.draftKey, true);
      await notify({ type: 'replayed', path: item.path });
    } else {
      // A conflict, errors to correct or a new sign-in: the page sends it again and shows the answer.
      await MowakabaStore.release(item.key, { needsPage: true });
      await notify({ type: 'replay-needs-page', path: item.path });
    }
  }
}

self.addEventListener('sync', (event) => {
  if (event.tag === SYNC_TAG) { event.waitUntil(replayQueue()); }
});
