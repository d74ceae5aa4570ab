"""The installable, offline-capable holder app (issue 21): manifest, service worker, what may be cached,
and how a submission queued offline is accepted when it is replayed."""
