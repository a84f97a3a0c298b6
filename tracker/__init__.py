"""The anti-trafficking action-plan tracker."""
from __future__ import annotations

import os
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from . import security
from .config import settings_from_environment
from .extensions import bootstrap, csrf, db, login_manager, migrate

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")
STATIC_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "static")


def create_app(config_overrides: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, commands, error pages."""
    app = Flask(__name__, instance_relative_config=True, static_folder=STATIC_DIR)
    os.makedirs(app.instance_path, exist_ok=True)
    overrides = config_overrides or {}
    app.config.update(settings_from_environment(app.instance_path, need_secret="SECRET_KEY" not in overrides))
    app.config.update(overrides)
    if not app.config.get("MAX_CONTENT_LENGTH"):
        # Room for five files of the largest size in one update; beyond that the request is refused (413).
        app.config["MAX_CONTENT_LENGTH"] = app.config["UPLOAD_MAX_BYTES"] * 5 + 1024 * 1024

    # Cookies no older than the logins they carry: Flask refuses a session cookie signed longer ago
    # than PERMANENT_SESSION_LIFETIME, and the remember-me cookie lasts REMEMBER_DAYS at most.
    for key, lifetime in (("PERMANENT_SESSION_LIFETIME", timedelta(hours=app.config["SESSION_MAX_HOURS"])),
                          ("REMEMBER_COOKIE_DURATION", timedelta(days=app.config["REMEMBER_DAYS"]))):
        if key not in overrides:
            app.config[key] = lifetime

    if app.config.get("PROXY_COUNT"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=app.config["PROXY_COUNT"])

    register_extensions(app)
    security.register_converters(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_commands(app)
    register_error_pages(app)
    return app


def register_extensions(app: Flask) -> None:
    # The search documents' session hook and the databases' own index objects (which migrations leave aside).
    from .search.documents import include_name

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, include_name=include_name)
    csrf.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # Translated when flashed, in the language of the request that met the login page (a lazy string cannot be
    # kept in the session).
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"

    from . import i18n
    from .api.auth import TrackerRequest, load_user_from_request
    from .auth.services import load_user

    login_manager.user_loader(load_user)
    # API tokens: an API call that sends one is authenticated by it alone (its cookies go unread).
    login_manager.request_loader(load_user_from_request)
    app.request_class = TrackerRequest
    i18n.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", configure_sqlite)


def configure_sqlite(connection, _record) -> None:
    """Let the web server and the scheduler share the embedded database: readers never block the
    writer (WAL), and a writer waits its turn rather than failing at once."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 30000")
    if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file, not an in-memory database
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def register_blueprints(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .api import register as register_api
    from .assessments import bp as assessments_bp
    from .audit import bp as audit_bp
    from .auth import bp as auth_bp
    from .catalogue import bp as catalogue_bp
    from .changes import bp as changes_bp
    from .checklist import bp as checklist_bp
    from .coordination import bp as coordination_bp
    from .coverage import bp as coverage_bp
    from .dashboard import bp as dashboard_bp
    from .exports import bp as exports_bp
    from .health import bp as health_bp
    from .home import bp as home_bp
    from .imports import bp as imports_bp
    from .indicators import bp as indicators_bp
    from .items import bp as items_bp
    from .pickers import bp as pickers_bp
    from .progress import bp as progress_bp
    from .rapporteur import bp as rapporteur_bp
    from .reminders import bp as reminders_bp
    from .tokens import bp as tokens_bp
    from .verification import bp as verification_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(checklist_bp)
    app.register_blueprint(items_bp)
    app.register_blueprint(catalogue_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(verification_bp)
    app.register_blueprint(coordination_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(audit_bp)
    register_api(app)
    app.register_blueprint(tokens_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(changes_bp)
    app.register_blueprint(indicators_bp)
    app.register_blueprint(assessments_bp)
    app.register_blueprint(coverage_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(rapporteur_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(pickers_bp)
    app.register_blueprint(health_bp)

    # Every page but the login page needs a logged-in user.
    from .auth.services import require_login

    app.before_request(require_login)


def register_template_helpers(app: Flask) -> None:
    from .templating import register

    register(app)


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)


def register_error_pages(app: Flask) -> None:
    from . import errors

    errors.register(app)
    security.register(app)
