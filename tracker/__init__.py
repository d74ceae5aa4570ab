"""Mowakaba: follow-up of an incubation cohort after a social-innovation forum."""

import logging
from pathlib import Path

from flask import Flask

from config import config_from_env
from tracker.extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class=None, overrides: dict | None = None) -> Flask:
    config_class = config_class or config_from_env()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_class)
    if overrides:
        app.config.update(overrides)
    config_class.init_app(app)
    Path(app.instance_path).mkdir(exist_ok=True)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_templating(app)
    register_commands(app)
    configure_logging(app)
    return app


def register_extensions(app: Flask) -> None:
    from tracker.core import db_events, i18n, models_registry  # noqa: F401 - listeners; every model known

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(ROOT / "tracker" / "translations"),
    )
    login_manager.init_app(app)
    from tracker.auth import session as auth_session

    auth_session.configure(login_manager)
    from tracker.core import security

    security.init_app(app)


def register_blueprints(app: Flask) -> None:
    from tracker.core.urls import register_converters

    register_converters(app)  # before the routes: `<int:…>` ids bounded to the database's range
    from tracker.admin.audit_views import bp as audit_bp
    from tracker.admin.views import bp as admin_bp
    from tracker.auth.views import bp as auth_bp
    from tracker.cohorts.views import bp as cohorts_bp
    from tracker.core.views import bp as core_bp
    from tracker.imports.views import bp as imports_bp
    from tracker.indicators.views import bp as indicators_bp
    from tracker.mentoring.views import bp as mentoring_bp
    from tracker.milestones.views import bp as milestones_bp
    from tracker.periods.views import bp as periods_bp
    from tracker.privacy.views import bp as privacy_bp
    from tracker.projects.views import bp as projects_bp
    from tracker.reports import one_pager_views  # noqa: F401  (adds the one-pager route to report_files)
    from tracker.reports.downloads import bp as report_files_bp
    from tracker.reports.views import bp as reports_bp
    from tracker.trainings.views import bp as trainings_bp

    blueprints = (core_bp, auth_bp, admin_bp, cohorts_bp, projects_bp, trainings_bp, mentoring_bp,
                  indicators_bp, milestones_bp, periods_bp, imports_bp, reports_bp, report_files_bp, audit_bp,
                  privacy_bp)
    for bp in blueprints:
        app.register_blueprint(bp)


def register_errorhandlers(app: Flask) -> None:
    from tracker.core import errors

    errors.register(app)


def register_templating(app: Flask) -> None:
    from tracker.core import templating

    templating.register(app)


def register_commands(app: Flask) -> None:
    from tracker.auth.cli import users_cli
    from tracker.backup.cli import backup_cli
    from tracker.cohorts.cli import cohort_cli
    from tracker.demo.cli import demo_cli
    from tracker.imports.cli import import_cli
    from tracker.periods.cli import reminders_cli
    from tracker.reports.cli import report_cli

    for group in (users_cli, cohort_cli, demo_cli, reminders_cli, import_cli, report_cli, backup_cli):
        app.cli.add_command(group)


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
