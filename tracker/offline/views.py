"""The web app manifest and the service worker (issue 21).

Both are public: the browser fetches the manifest without cookies, and the service worker script must load
before anyone signs in. Neither carries personal data. The worker is served from the root (`/sw.js`) so its
scope is the whole app; its text carries a version computed from its own code and the app shell, so a
release that changes either installs a new worker, which drops the old caches.
"""

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from babel import Locale
from flask import Blueprint, current_app, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from tracker.core.permissions import public

bp = Blueprint("offline", __name__)

THEME_COLOUR = "#0b5d5b"  # --brand in static/css/app.css
# The app shell: what every page needs, kept by the worker at install (static/sw.js).
SHELL = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap/css/bootstrap.rtl.min.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "vendor/noto-arabic/font.css",
    "css/app.css",
    "js/offline_store.js",
    "js/offline.js",
    "js/report_form.js",
    "js/milestone_form.js",
    "icons/icon-192.png",
    "icons/icon-512.png",
)


def _static_root() -> Path:
    return Path(current_app.static_folder)


def _shell_files() -> list[str]:
    """The shell plus the Arabic font files the font stylesheet points at."""
    root = _static_root()
    fonts = sorted(str(p.relative_to(root)) for p in (root / "vendor/noto-arabic/woff2").glob("*.woff2"))
    return [*SHELL, *fonts]


@lru_cache(maxsize=4)
def _worker_source(static_folder: str) -> tuple[str, str]:
    """(version, text): the version hashes the worker's code and every shell file."""
    root = Path(static_folder)
    digest = hashlib.sha256((root / "sw.js").read_bytes())
    for name in _shell_files():
        digest.update(name.encode())
        digest.update((root / name).read_bytes())
    return digest.hexdigest()[:16], (root / "sw.js").read_text(encoding="utf-8")


@bp.route("/sw.js")
@public
def service_worker():
    version, text = _worker_source(current_app.static_folder)
    shell = [url_for("static", filename=name) for name in _shell_files()]
    config = json.dumps({"version": version, "shell": shell})
    body = f"const MOWAKABA = {config};\n{text}"
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    # Browsers check a worker for updates at most once a day when cached; always revalidate instead.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/manifest.webmanifest")
@public
def manifest():
    """One manifest per language (`?lang=ar`): the page links the one of its own language."""
    lang = request.args.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        lang = current_app.config["LANGUAGES"][0]
    with force_locale(lang):
        description = _("Suivi de l'accompagnement des projets du forum : rapports et jalons, même sans réseau.")
    data = {
        "name": "Mowakaba — مواكبة",
        "short_name": "Mowakaba",
        "description": description,
        "lang": lang,
        "dir": Locale.parse(lang).text_direction,
        "id": "/",
        "start_url": url_for("core.home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": url_for("static", filename=f"icons/icon-{size}.png"), "sizes": f"{size}x{size}",
             "type": "image/png", "purpose": "any"}
            for size in (192, 512)
        ] + [{"src": url_for("static", filename="icons/icon-512.png"), "sizes": "512x512", "type": "image/png",
              "purpose": "maskable"}],
    }
    response = current_app.response_class(json.dumps(data, ensure_ascii=False),
                                          mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response
