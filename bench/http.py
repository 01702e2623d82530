"""Measure the app's pages over real HTTP, beside a bare Flask page in the same run.

    make bench                                           # 200,000 cases
    .venv/bin/python -m bench.http --cases 1000000 --fresh
    .venv/bin/python -m bench.http --only admin --json out.json

Builds (once) the database ``mediation_bench`` on 127.0.0.1:5432 with ``bench.populate``, starts gunicorn (2
sync workers) for the app (``wsgi:app``) and for the reference app (``bench.bare``) on free ports, signs in
over HTTP as each persona (the login form, its CSRF token, the session cookie), then runs ``wrk`` (Debian's:
``apt-get install wrk``) against every page of ``PAGES`` with that cookie, and against the bare page between
them. Prints a Markdown table: each page's requests/s, p50/p90/p99 latency, and its requests/s as a share of
the bare page's (the mean of the bare runs just before and after it, so load from other work on the machine
mostly cancels). wrk's percentiles are over all requests of all connections. Then downloads each export of
``EXPORTS`` (XLSX) one request at a time with ``curl``, after a warm-up: its seconds, rows and size.
With 16 connections on 2 workers a page's p50 is mostly queueing (``--connections 2`` shows a request's own
time).
"""

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench-password"
#: Sent by every request: sessions are bound to the browser that signed in (Flask-Login's "strong"
#: protection), so wrk must look like the client that signed in.
USER_AGENT = "mediation-bench"

#: Who signs in for each persona (``bench.populate``'s accounts): a mediator of station 1, the supervisor of
#: district D1 (stations 1–20), the province's administrator.
PERSONAS = {"mediator": "m1", "supervisor": "sup1", "admin": "admin"}

#: The pages measured: (persona, what, URL). ``{case}`` is a case of station 1 (in every persona's scope).
#: A new page is one line here.
PAGES = [
    ("mediator", "home", "/"),
    ("mediator", "case list", "/cases"),
    ("mediator", "case list, page 20", "/cases?page=20"),
    ("mediator", "overdue list", "/cases?overdue=1"),
    ("mediator", "search (q=漏水)", "/cases?q=漏水"),
    ("mediator", "case page", "/cases/{case}"),
    ("mediator", "intake form", "/cases/new"),
    ("mediator", "my work", "/work"),
    ("supervisor", "home", "/"),
    ("supervisor", "case list (20 stations)", "/cases"),
    ("supervisor", "case list, page 20", "/cases?page=20"),
    ("supervisor", "overdue list", "/cases?overdue=1"),
    ("supervisor", "search (q=王建国)", "/cases?q=王建国"),
    ("supervisor", "case page", "/cases/{case}"),
    ("supervisor", "my work", "/work"),
    ("admin", "home", "/"),
    ("admin", "case list (province)", "/cases"),
    ("admin", "case list, page 20", "/cases?page=20"),
    ("admin", "overdue list", "/cases?overdue=1"),
    ("admin", "search (q=王建国)", "/cases?q=王建国"),
    ("admin", "search (q=漏水纠纷)", "/cases?q=漏水纠纷"),
    ("admin", "case page", "/cases/{case}"),
    ("admin", "my work", "/work"),
    # The oversight pages (issue 15): district D1's supervisor, the whole province for the administrator.
    ("supervisor", "dashboard, this month", "/oversight/?period=this_month"),
    ("supervisor", "dashboard, this year", "/oversight/?period=this_year"),
    ("supervisor", "by station, this year", "/oversight/by/station?period=this_year"),
    ("supervisor", "by month, this year", "/oversight/by/month?period=this_year"),
    ("supervisor", "by mediator, this year", "/oversight/by/mediator?period=this_year"),
    ("supervisor", "by category, this year", "/oversight/by/category?period=this_year"),
    ("supervisor", "drill-down: closed this year, S1", "/cases?metric=closed&{year_range}&station=S1"),
    ("supervisor", "drill-down: closed this year, D1", "/cases?metric=closed&{year_range}"),
    ("supervisor", "monthly report, last month", "/reports/monthly?month={last_month}"),
    ("supervisor", "monthly report, this year", "/reports/monthly?year={year}"),
    ("admin", "dashboard, this month (province)", "/oversight/?period=this_month"),
    ("admin", "dashboard, this year (province)", "/oversight/?period=this_year"),
]

#: Downloads, timed one request at a time (``curl``, ``RUNS`` runs each) rather than under wrk: an export is
#: one person waiting for one file.
EXPORTS = [
    (
        "supervisor",
        "case list, opened this year in D1",
        "/cases/export.xlsx?metric=opened&district=D1&{year_range}",
    ),
    (
        "supervisor",
        "case list, closed this year in D1",
        "/cases/export.xlsx?metric=closed&district=D1&{year_range}",
    ),
    ("supervisor", "by station, this year", "/oversight/by/station.xlsx?period=this_year"),
    ("supervisor", "by month, this year", "/oversight/by/month.xlsx?period=this_year"),
    ("supervisor", "monthly report, this year", "/reports/monthly.xlsx?year={year}"),
    (
        "admin",
        "case list, closed this year in D1",
        "/cases/export.xlsx?metric=closed&district=D1&{year_range}",
    ),
    ("admin", "by station, this year (province)", "/oversight/by/station.xlsx?period=this_year"),
]
RUNS = 3
#: A wrk script that prints the 95th percentile too (``--latency`` gives 50, 75, 90 and 99).
PERCENTILES = ROOT / "bench" / "percentiles.lua"


def database(name: str, fresh: bool) -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def prepare(url: str, args) -> tuple[str, int]:
    """Migrate, populate when empty, give the personas a real password; returns a case number of station 1
    and how many cases the database holds (an existing database keeps its size, whatever ``--cases`` says:
    ``--fresh`` rebuilds it)."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from bench.populate import populate
    from mediation import create_app
    from mediation.config import Config
    from mediation.extensions import db
    from mediation.models import Case, Station, User

    class Bench(Config):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = "bench-" + "x" * 32

    app = create_app(Bench)
    with app.app_context():
        upgrade()
        if not db.session.scalar(select(func.count()).select_from(Station)):
            start = time.perf_counter()
            with db.engine.begin() as conn:
                populate(
                    conn, stations=args.stations, cases=args.cases, log=lambda line: print(line, flush=True)
                )
            print(f"populated {args.cases:,} cases in {time.perf_counter() - start:.0f} s", flush=True)
        for username in PERSONAS.values():
            db.session.scalar(select(User).filter_by(username=username)).set_password(PASSWORD)
        db.session.commit()
        number = db.session.scalar(
            select(Case.number).where(Case.station_id == 1, Case.state == "mediating").limit(1)
        )
        total = db.session.scalar(select(func.count()).select_from(Case))
        db.session.remove()
        db.engine.dispose()
    return number, total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(target: str, url: str) -> tuple[subprocess.Popen, str]:
    """gunicorn with 2 sync workers serving ``target``; the process and its base URL, once it answers."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + "s" * 40,
        "SESSION_COOKIE_SECURE": "false",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    cmd = [gunicorn, "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}", "--log-level", "warning", target]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, base
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn {target} exited with {proc.returncode}") from None
            time.sleep(0.1)
    raise SystemExit(f"gunicorn {target} did not answer on {base}")


def sign_in(base: str, username: str) -> str:
    """Sign in through the login form as a browser would; returns the Cookie header to send."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    form = {"username": username, "password": PASSWORD, "csrf_token": token.group(1) if token else ""}
    response = opener.open(f"{base}/login", urllib.parse.urlencode(form).encode())
    if urllib.parse.urlparse(response.geturl()).path == "/login":
        raise SystemExit(f"signing in as {username} failed")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def check(url: str, cookie: str) -> int:
    """The page answers 200 to this cookie (not a redirect to sign in), or the figures would be a lie;
    returns its size in bytes."""
    request = urllib.request.Request(url, headers={"Cookie": cookie, "User-Agent": USER_AGENT})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        response = urllib.request.build_opener(NoRedirect).open(request)
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{url} answered {error.code}") from None
    return len(response.read())


def fill(path: str, case: str) -> str:
    """``path`` with its placeholders filled: ``{case}``, this year (China's) and last month, and
    ``{year_range}`` (``from=…&to=…`` of this year), then quoted for the wire."""
    from mediation.clock import local_date, utcnow

    today = local_date(utcnow())
    last_month = today.replace(day=1) - timedelta(days=1)
    year_range = f"from={today.year}-01-01&to={today.year}-12-31"
    filled = path.format(case=case, year=today.year, last_month=f"{last_month:%Y-%m}", year_range=year_range)
    return urllib.parse.quote(filled, safe="/?=&")


def download(url: str, cookie: str, runs: int) -> dict:
    """Fetch ``url`` ``runs`` times after a warm-up, one at a time, with ``curl``; each run's seconds, the
    file's size and how many rows its sheets hold (a header row included)."""
    import openpyxl

    seconds, path = [], Path("/tmp") / f"bench-export-{os.getpid()}.xlsx"
    # A first, untimed run waits out what wrk left queued in the workers, and warms the caches.
    for _ in range(runs + 1):
        cmd = ["curl", "-sS", "-o", str(path), "-w", "%{http_code} %{time_total}", "-A", USER_AGENT]
        out = subprocess.run(
            [*cmd, "-H", f"Cookie: {cookie}", url], capture_output=True, text=True, check=True
        )
        code, took = out.stdout.split()
        if code != "200":
            raise SystemExit(f"{url} answered {code}")
        seconds.append(float(took))
    seconds = seconds[1:]
    book = openpyxl.load_workbook(path, read_only=True)
    rows = sum(1 for sheet in book.worksheets for _ in sheet.iter_rows(values_only=True))
    size = path.stat().st_size
    path.unlink()
    return {"seconds": seconds, "rows": rows, "bytes": size}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def _cell(ms: float | None) -> str:
    return "—" if ms is None else f"{ms:.1f}"


def wrk(url: str, cookie: str | None, args) -> dict:
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    cmd += ["--timeout", "30s", "-H", f"User-Agent: {USER_AGENT}", "-s", str(PERCENTILES)]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    requests, read = re.search(r"(\d+) requests in \S+, ([\d.]+[KMG]?B) read", out).groups()
    result["requests"] = int(requests)
    scale = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}
    unit = re.search(r"[KMG]?B$", read).group(0)
    result["bytes"] = float(read[: -len(unit)]) * scale[unit] / max(int(requests), 1)
    for pct in ("50", "90", "99"):
        # None: no request finished within the run (each took longer than the run).
        found = re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", out, re.M)
        result[f"p{pct}_ms"] = _ms(found.group(1)) if found and result["requests"] else None
    found = re.search(r"^p95_us (\d+)", out, re.M)
    result["p95_ms"] = int(found.group(1)) / 1000 if found and result["requests"] else None
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["errors"] = int(errors.group(1)) if errors else 0
    timeouts = re.search(r"Socket errors: .*timeout (\d+)", out)
    result["errors"] += int(timeouts.group(1)) if timeouts else 0
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--stations", type=int, default=2000)
    parser.add_argument("--database", default="mediation_bench")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the bench database")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", action="append", help="only these personas (repeatable)")
    parser.add_argument("--match", action="append", help="only pages whose label contains this (repeatable)")
    parser.add_argument("--bare-every", type=int, default=3, help="a bare-page run after this many pages")
    parser.add_argument("--runs", type=int, default=RUNS, help="downloads of each export")
    parser.add_argument("--exports-only", action="store_true", help="only time the exports")
    parser.add_argument("--no-exports", action="store_true", help="only the pages under wrk")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    url = database(args.database, args.fresh)
    case, total = prepare(url, args)

    def chosen(listed):
        return [
            p
            for p in listed
            if (not args.only or p[0] in args.only) and (not args.match or any(m in p[1] for m in args.match))
        ]

    pages = [] if args.exports_only else chosen(PAGES)
    exports = [] if args.no_exports else chosen(EXPORTS)
    app, app_base = serve("wsgi:app", url)
    bare, bare_base = serve("bench.bare:app", url)
    try:
        cookies = {persona: sign_in(app_base, username) for persona, username in PERSONAS.items()}
        print(f"load before: {os.getloadavg()[0]:.2f}", flush=True)
        bares, rows = [], []

        def bare_run():
            check(f"{bare_base}/", "")
            bares.append(wrk(f"{bare_base}/", None, args))
            print(f"  bare page: {bares[-1]['rps']:.0f} req/s", flush=True)

        if pages:
            bare_run()
        for i, (persona, label, path) in enumerate(pages):
            target = app_base + fill(path, case)
            size = check(target, cookies[persona])
            row = {"persona": persona, "page": label, "url": path, **wrk(target, cookies[persona], args)}
            if row["requests"] and row["bytes"] < size / 2:  # wrk counts a redirect (to sign in) as a success
                raise SystemExit(f"{path}: wrk read {row['bytes']:.0f} bytes a response, the page has {size}")
            # wrk stops, the requests it left queued do not: wait for them (this one is served after them),
            # or they would load the next page's run and the bare page's.
            check(target, cookies[persona])
            row["bare_before"] = len(bares) - 1
            rows.append(row)
            print(
                f"  {persona:<10} {label:<28} {row['rps']:8.1f} req/s  p50 {_cell(row['p50_ms'])} ms",
                flush=True,
            )
            if (i + 1) % args.bare_every == 0 or i == len(pages) - 1:
                bare_run()
        downloads = []
        for persona, label, path in exports:
            row = {"persona": persona, "export": label, "url": path}
            row.update(download(app_base + fill(path, case), cookies[persona], args.runs))
            downloads.append(row)
            print(f"  {persona:<10} {label:<36} {row['seconds']} s, {row['rows']:,} rows", flush=True)
        load = os.getloadavg()
    finally:
        for proc in (app, bare):
            proc.terminate()
            proc.wait()

    for row in rows:
        before = bares[row["bare_before"]]["rps"]
        after = bares[min(row["bare_before"] + 1, len(bares) - 1)]["rps"]
        row["bare_rps"] = (before + after) / 2
        row["ratio"] = row["rps"] / row["bare_rps"]
    bare_range = f"{min(b['rps'] for b in bares):.0f}–{max(b['rps'] for b in bares):.0f}" if bares else "—"
    print(
        f"\n{total:,} cases · wrk -t{args.threads} -c{args.connections} -d{args.duration}s · "
        f"gunicorn 2 sync workers · bare page {bare_range} req/s · "
        f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}\n"
    )
    if rows:
        print("| who | page | req/s | p50 ms | p90 ms | p95 ms | p99 ms | % of bare |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        flag = f" ({r['errors']} errors)" if r["errors"] else ""
        print(
            f"| {r['persona']} | {r['page']}{flag} | {r['rps']:.1f} | {_cell(r['p50_ms'])} | "
            f"{_cell(r['p90_ms'])} | {_cell(r['p95_ms'])} | {_cell(r['p99_ms'])} | {100 * r['ratio']:.2f} % |"
        )
    if downloads:
        print(f"\n| who | export (XLSX) | seconds ({args.runs} runs) | rows | size |")
        print("|---|---|---:|---:|---:|")
    for d in downloads:
        took = " / ".join(f"{t:.2f}" for t in d["seconds"])
        print(f"| {d['persona']} | {d['export']} | {took} | {d['rows']:,} | {d['bytes'] / 1024:.0f} KB |")
    if args.json:
        out = {"cases": total, "bare": bares, "pages": rows, "exports": downloads, "load": load}
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
