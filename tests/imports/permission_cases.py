"""Import routes × roles, joined to tests/core/test_permission_matrix.py (same row shape).

That module imports this one while it is being imported, so nothing is imported back from it: the S(...)
helper and the profiles are restated here. The token routes need a stored upload: one is saved for the staff
actor (a tiny valid CSV) on first use and cached on the `actors` object, so the manager, who is not its
uploader, gets 404 like the holder, and the admin, who may see every upload, gets the page.
"""

from flask import url_for

from tests.roles import ROLES
from tracker.imports import storage


def S(anon, admin, manager, staff, holder):
    return dict(zip(ROLES, (anon, admin, manager, staff, holder), strict=True))


STAFF_SIDE = S(302, 200, 200, 200, 404)  # DESIGN §2 via IMPORT_PROJECTS: admin, manager, staff
UPLOADER = S(302, 200, 404, 200, 404)  # staff uploaded it; the manager is not told it exists
UPLOADER_POST = S(302, 302, 404, 302, 404)  # a handled POST redirects

TINY_CSV = (
    "N° projet;Nom du projet;Secteur;Nom complet;Sexe;Porteur principal;Date de consentement\r\n"
    "P01;Atelier Test;Numérique;Salma Test;F;Oui;01/03/2025\r\n"
).encode("utf-8-sig")


def _entry(a, state):
    """A stored upload of the staff actor: "pending" (previewable) or "done" (imported, result page)."""
    cache = a.__dict__.setdefault("_imports", {})
    if state not in cache:
        entry = storage.save(TINY_CSV, "mini.csv", "csv", a.staff.id, a.cohort.id)
        if state == "done":
            storage.mark_done(entry, {"projects_created": 1, "projects_updated": 0, "projects_unchanged": 0,
                                      "projects_rejected": 0, "members_created": 1, "members_updated": 0,
                                      "members_unchanged": 0, "members_rejected": 0, "rejected_rows": 0},
                              keep_data=False)
        cache[state] = entry
    return cache[state]


def _url(endpoint, state="pending"):
    return lambda a: url_for(endpoint, token=_entry(a, state).token)


CASES = [
    ("imports.upload", "", "GET", lambda a: url_for("imports.upload"), STAFF_SIDE),
    ("imports.upload", "cohort", "GET", lambda a: url_for("imports.upload", cohort=a.cohort.id), STAFF_SIDE),
    ("imports.upload", "post", "POST", lambda a: url_for("imports.upload"), STAFF_SIDE),  # redrawn with errors
    ("imports.preview", "", "GET", _url("imports.preview"), UPLOADER),
    ("imports.choose", "", "POST", _url("imports.choose"), UPLOADER_POST),  # no token: back to the preview
    ("imports.confirm", "", "POST", _url("imports.confirm"), UPLOADER_POST),  # no mode: back to the preview
    ("imports.result", "", "GET", _url("imports.result", "done"), UPLOADER),
    ("imports.rejected", "", "GET", _url("imports.rejected"), UPLOADER),
    ("imports.cancel", "", "POST", _url("imports.cancel"), UPLOADER_POST),
]
