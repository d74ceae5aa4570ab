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
    register_features(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_templating(app)
    register_commands(app)
    configure_logging(app)
    return app


def register_extensions(app: Flask) -> None:
    from tracker import models_registry  # noqa: F401 - every model known to the metadata
    from tracker.core import db_events, i18n  # noqa: F401 - listeners

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(ROOT / "tracker" / "translations"),
    )
    i18n.require_catalogues(app)
    i18n.install_template_gettext(app)
    login_manager.init_app(app)
    from tracker.auth import session as auth_session

    auth_session.configure(login_manager)
    from tracker.core import security

    security.init_app(app)
    from tracker.auth import throttle
    from tracker.core import jobs  # noqa: F401 - its after-commit listeners

    throttle.init_app(app)
    from tracker.api import throttle as api_throttle

    api_throttle.init_app(app)
    from tracker.offline import replay

    replay.init_app(app)


def register_features(app: Flask) -> None:
    """What core shows or decides for the features without importing them: enumeration labels, the home
    page, which projects a staff member is assigned to, and which pages a holder may keep offline; and the
    sums the reports read, kept with every write of the values."""
    from tracker.cohorts import labels as cohort_labels
    from tracker.core import i18n, permissions, security, views
    from tracker.indicators import labels as indicator_labels
    from tracker.mentoring import labels as mentoring_labels
    from tracker.milestones import labels as milestone_labels
    from tracker.offline.caching import offline_cache_control
    from tracker.periods import labels as period_labels
    from tracker.periods import value_sums
    from tracker.portfolio import attention
    from tracker.portfolio.home import home_page
    from tracker.projects import labels as project_labels
    from tracker.projects.services import assigned_project_ids
    from tracker.trainings import labels as training_labels

    for module in (cohort_labels, project_labels, training_labels, mentoring_labels,
                   milestone_labels, period_labels, indicator_labels):
        i18n.register_labels(module.LABELS)
    views.register_home(home_page)
    permissions.register_assignments(assigned_project_ids)
    security.register_offline_policy(offline_cache_control)
    value_sums.listen()
    attention.listen()


def register_blueprints(app: Flask) -> None:
    from tracker.core.urls import register_converters

    register_converters(app)  # before the routes: `<int:…>` ids bounded to the database's range
    from tracker.admin.audit_views import bp as audit_bp
    from tracker.admin.views import bp as admin_bp
    from tracker.api.token_views import bp as tokens_bp
    from tracker.api.views import bp as api_bp
    from tracker.auth import account_views  # noqa: F401  (forgot password, invitation links on auth)
    from tracker.auth.invitation_views import bp as invitations_bp
    from tracker.auth.views import bp as auth_bp
    from tracker.cohorts.views import bp as cohorts_bp
    from tracker.core.views import bp as core_bp
    from tracker.imports.views import bp as imports_bp
    from tracker.indicators.views import bp as indicators_bp
    from tracker.mentoring.views import bp as mentoring_bp
    from tracker.milestones.views import bp as milestones_bp
    from tracker.notifications.views import bp as notifications_bp
    from tracker.offline.views import bp as offline_bp
    from tracker.periods.legacy import bp as periods_legacy_bp
    from tracker.periods.views import bp as periods_bp
    from tracker.pickers.views import bp as pickers_bp
    from tracker.privacy.views import bp as privacy_bp
    from tracker.projects.views import bp as projects_bp
    from tracker.reports import one_pager_views  # noqa: F401  (adds the one-pager route to report_files)
    from tracker.reports.downloads import bp as report_files_bp
    from tracker.reports.views import bp as reports_bp
    from tracker.trainings.views import bp as trainings_bp

    blueprints = (core_bp, auth_bp, admin_bp, cohorts_bp, projects_bp, trainings_bp, mentoring_bp,
                  indicators_bp, milestones_bp, periods_bp, periods_legacy_bp, imports_bp, reports_bp,
                  report_files_bp, audit_bp, privacy_bp, invitations_bp, notifications_bp, pickers_bp, api_bp,
                  tokens_bp, offline_bp)
    for bp in blueprints:
        app.register_blueprint(bp)


def register_errorhandlers(app: Flask) -> None:
    from tracker.core import errors

    errors.register(app)


def register_templating(app: Flask) -> None:
    from tracker.core import templating

    templating.register(app)


def register_commands(app: Flask) -> None:
    from tracker.api.cli import api_cli
    from tracker.auth.cli import users_cli
    from tracker.backup.cli import backup_cli
    from tracker.cohorts.cli import cohort_cli
    from tracker.demo.cli import demo_cli
    from tracker.imports.cli import import_cli
    from tracker.notifications.cli import mail_cli, notifications_cli
    from tracker.periods.cli import reminders_cli
    from tracker.reports.cli import report_cli

    for group in (users_cli, cohort_cli, demo_cli, reminders_cli, import_cli, report_cli, backup_cli, mail_cli,
                  notifications_cli, api_cli):
        app.cli.add_command(group)


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
