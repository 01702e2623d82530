"""mediation: case tracking for community dispute-resolution stations (解纷驿站)."""

from flask import Flask


def create_app(config=None) -> Flask:
    """Build the app: configuration, security (secret key, proxies, headers), extensions, blueprints, CLI,
    error handlers, template helpers.

    ``config`` is a class or mapping applied last (tests pass their own).
    """
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    from mediation.ids import IdConverter

    app.url_map.converters["id"] = IdConverter
    _configure(app, config)
    _secure(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_errors(app)
    _register_template_helpers(app)
    return app


def _configure(app, config) -> None:
    from mediation import config as settings

    app.config.from_object(settings.Config)
    settings.from_environment(app)
    app.config.from_pyfile("config.py", silent=True)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    settings.finish(app)


def _secure(app) -> None:
    from mediation import security

    security.init_app(app)


def _init_extensions(app) -> None:
    from flask_bootstrap import Bootstrap5

    from mediation import form_attributes, i18n, models, throttle  # noqa: F401  (models: the tables)
    from mediation.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    _tune_sqlite(app, db)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    throttle.init_app(app)
    i18n.init_app(app)
    form_attributes.install()
    Bootstrap5(app)


def _tune_sqlite(app, db) -> None:
    """SQLite: enforce foreign keys, let readers work during a write, and wait for the write lock."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    with app.app_context():

        @event.listens_for(db.engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()


def _register_blueprints(app) -> None:
    from mediation.audit_log.views import bp as audit_log
    from mediation.auth.views import bp as auth
    from mediation.case_page.views import bp as case_page
    from mediation.cases.views import bp as cases
    from mediation.notifications.views import bp as notifications
    from mediation.oversight.views import bp as oversight
    from mediation.parties.views import bp as parties
    from mediation.referrals.views import bp as referrals
    from mediation.reports.views import bp as reports
    from mediation.station.views import bp as station

    blueprints = (
        auth,
        cases,
        case_page,
        parties,
        referrals,
        station,
        audit_log,
        notifications,
        oversight,
        reports,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def _register_cli(app) -> None:
    from mediation.cli import cli

    app.cli.add_command(cli)

    @app.shell_context_processor
    def shell_context():
        from mediation import lifecycle, models
        from mediation.extensions import db

        return {"db": db, "lifecycle": lifecycle, **{name: getattr(models, name) for name in models.__all__}}


def _register_errors(app) -> None:
    from mediation import errors

    errors.register(app)


def _register_template_helpers(app) -> None:
    from mediation import templating, web

    templating.init_app(app)
    web.init_app(app)
