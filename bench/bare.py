"""The reference page: the least a Flask page over our database can cost.

One primary-key select (a station, by id) and a small Jinja template (``bench/templates/station.html``),
served by gunicorn exactly as the app is (``bench.http`` starts both). What the app's pages cost is reported
as a share of this page's requests/s in the same run, so the machine's speed and load cancel out.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/mediation_bench gunicorn -w 2 bench.bare:app
"""

import itertools
import os

from flask import Flask, render_template
from sqlalchemy import create_engine, text

from mediation.config import normalise_database_url

app = Flask(__name__)
engine = create_engine(normalise_database_url(os.environ["DATABASE_URL"]), pool_pre_ping=True)
#: Cycle over the first stations so every request selects a row, never the same cached page.
station_ids = itertools.cycle(range(1, 101))


@app.get("/")
def station():
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT id, code, name, district FROM station WHERE id = :id"), {"id": next(station_ids)}
        ).one()
    return render_template("station.html", station=row)
