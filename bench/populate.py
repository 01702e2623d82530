"""Fill a PostgreSQL database with province-scale data, fast, straight in SQL.

2,000 stations, 10,000 users, N cases (default 1,000,000) spread over five years and every state, ~10
events per case. Rows are made with ``generate_series`` rather than the services: the point is the size of
the tables the pages query, not the realism of each row (the demo data is realistic; this is big).
"""

from sqlalchemy import text

STATES = ["registered", "mediating", "referred", "with_agency", "following_up", "closed"]
OUTCOMES = ["declined", "unresolved", "withdrawn", "resolved"]
CATEGORIES = [
    "marriage_family",
    "neighbour",
    "housing_land",
    "contract",
    "business",
    "damages",
    "labour",
    "property_management",
    "land_forest",
    "expropriation",
    "environment",
    "medical",
    "traffic",
    "consumer",
    "other",
]
CHANNELS = ["walk_in", "police", "court", "grid", "phone", "online"]


def _array(values) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


def populate(conn, *, stations=2000, mediators_per_station=4, cases=1_000_000, events_per_case=10) -> None:
    run = lambda sql, **params: conn.execute(text(sql), params)  # noqa: E731
    run(
        """INSERT INTO station (code, name, address, district)
           SELECT 'S' || g, '驿站 ' || g, '', 'D' || (g % 100) FROM generate_series(1, :n) g""",
        n=stations,
    )
    run(
        """INSERT INTO agency (code, name, kind, address)
           SELECT 'A' || g, '派出所 ' || g, CASE WHEN g % 5 = 0 THEN 'court' ELSE 'police' END, ''
           FROM generate_series(1, :n) g""",
        n=stations // 4,
    )
    # Every account shares one precomputed hash: hashing 10,000 passwords would only measure hashing.
    run(
        """INSERT INTO "user" (username, display_name, password_hash, role, phone, locale, active, created_at)
           SELECT 'm' || g, '调解员' || g, 'pbkdf2:sha256:1$x$0', 'mediator', '', '', true, now()
           FROM generate_series(1, :n) g""",
        n=stations * mediators_per_station,
    )
    run(
        """INSERT INTO user_station (user_id, station_id)
           SELECT u.id, (u.id - 1) / :per + 1 FROM "user" u WHERE u.role = 'mediator'""",
        per=mediators_per_station,
    )
    # A district supervisor over the first 100 stations, and an administrator over the province.
    run(
        """INSERT INTO "user" (username, display_name, password_hash, role, phone, locale, active, created_at)
           VALUES ('sup1', '主管', 'pbkdf2:sha256:1$x$0', 'supervisor', '', '', true, now()),
                  ('admin1', '管理员', 'pbkdf2:sha256:1$x$0', 'admin', '', '', true, now())"""
    )
    run(
        """INSERT INTO user_station (user_id, station_id)
           SELECT u.id, s FROM "user" u, generate_series(1, 100) s WHERE u.username = 'sup1'"""
    )
    run(
        f"""INSERT INTO "case" (number, station_id, year, seq, title, facts, category, channel, place,
                 risk_level, external_ref, state, outcome, mediator_id, registered_at, state_entered_at,
                 next_due_at, closed_at, updated_at, version)
           SELECT 'S' || st || '-' || yr || '-' || lpad(g::text, 7, '0'), st, yr, g,
                  '纠纷 ' || g, '事实 ' || g || ' 漏水 欠薪 噪音', ({_array(CATEGORIES)})[1 + g % 15],
                  ({_array(CHANNELS)})[1 + g % 6], '', 'low', '',
                  s, CASE WHEN s = 'closed' THEN ({_array(OUTCOMES)})[1 + g % 4] END,
                  (st - 1) * :per + 1 + g % :per, reg, reg,
                  CASE WHEN s <> 'closed' THEN reg + interval '30 days' END,
                  CASE WHEN s = 'closed' THEN reg + interval '20 days' END, reg, 1
           FROM (SELECT g, 1 + g % :stations AS st, reg, extract(year FROM reg)::int AS yr,
                        CASE WHEN reg < now() - interval '90 days' AND g % 10 <> 0 THEN 'closed'
                             ELSE ({_array(STATES)})[1 + g % 6] END AS s
                 FROM (SELECT g, now() - (g % 1825) * interval '1 day' AS reg
                       FROM generate_series(1, :cases) g) d) c""",
        per=mediators_per_station,
        stations=stations,
        cases=cases,
    )
    # Each open case has the deadline of its state open (the row the case's next_due_at copies); each
    # closed one the deadline it met.
    run(
        f"""INSERT INTO deadline (case_id, station_id, kind, variant, started_at, due_at, warn_at, days, unit,
                 calendar_known, opened_by, closed_by, met_at)
           SELECT id, station_id,
                  (ARRAY['acceptance', 'mediation', 'referral_answer', 'referral_result', 'follow_up',
                         'mediation'])[array_position({_array(STATES)}, state)],
                  '', state_entered_at, state_entered_at + interval '30 days',
                  state_entered_at + interval '21 days', 30, 'calendar', true, 'bench',
                  CASE WHEN state = 'closed' THEN 'bench' ELSE '' END, closed_at
           FROM "case" """
    )
    run("""INSERT INTO case_counter (station_id, year, last_seq)
           SELECT station_id, year, max(seq) FROM "case" GROUP BY station_id, year""")
    run(
        """INSERT INTO party (kind, name, phone, id_number, address, sex, ethnicity, occupation, created_at)
           SELECT 'person', '当事人' || g, '138' || lpad(g::text, 8, '0'), '', '', '', '', '', now()
           FROM generate_series(1, :n) g""",
        n=cases,
    )
    run(
        """INSERT INTO case_party (case_id, party_id, role, position)
           SELECT id, id, 'applicant', 0 FROM "case"
           UNION ALL
           SELECT id, 1 + (id::bigint * 7919) % :n, 'respondent', 1 FROM "case"
           WHERE (id::bigint * 7919) % :n + 1 <> id""",
        n=cases,
    )
    run(
        """INSERT INTO event (case_id, at, actor_id, kind, action, from_state, to_state, case_version, data)
           SELECT c.id, c.registered_at + e * interval '1 hour', c.mediator_id,
                  CASE WHEN e = 0 THEN 'intake' ELSE 'update' END,
                  CASE WHEN e = 0 THEN 'register' ELSE 'record_session' END,
                  c.state, c.state, 1, '{}'::json
           FROM "case" c CROSS JOIN generate_series(0, :k - 1) e""",
        k=events_per_case,
    )
    run("ANALYZE")
