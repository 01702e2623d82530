"""Entry point for gunicorn: ``gunicorn wsgi:app``."""

import gc

from mediation import create_app

app = create_app()
# What the app built as it started (modules, mappers, routes, vocabularies) lives as long as the process: out
# of the collector's way, a request's garbage is collected without walking it all again (7–13 % of a page's
# CPU; docs/performance.md).
gc.freeze()
