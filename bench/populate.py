"""Fill a PostgreSQL database with a province, fast, straight in SQL.

The shape of a real province, not only its size: 2,000 stations in 100 districts of 20 (``station.district``
``D1`` … ``D100``), 4 mediators per station, a supervisor per district (``sup1`` oversees district ``D1``,
stations 1–20), an administrator (``admin``), a police station for every 4 stations and a court for every
district (``agency_station``), each with a liaison. N cases (default 1,000,000) registered over five years, in
the state mix of a working year: nearly every case older than a few months is closed, with an outcome
(resolved, unresolved, withdrawn, declined), ``accepted_at`` and ``closed_at`` and its first closure (the
columns the oversight figures count: when, outcome, on time by its deadline rows, days); recent ones are open
in every state, and one old mediating case in five was reopened (open, with a first closure). Then what those
histories leave behind: agreements (resolved and following-up cases), outbound referrals to the police or a
court (pending, accepted, declined, resolved, returned, with answer times), follow-up visits (done, with
satisfaction and performance, for resolved closed cases; planned for cases following up), deadline rows (met —
some late — for what was done, cancelled where it was cancelled, open for open cases and some overdue),
supervisions (督办, open on some open cases, ended on some closed ones), parties with names people search for,
~10 events per case. Then ``ANALYZE``.

Within a station, cases vary in mediator, category and channel (drawn from ``g / stations``: a station's
case ids all share ``g % stations``) and in age (random). Rows are made with ``generate_series`` from one
plan row per case (a temporary table of its timestamps), never through the services: the services would
take hours. Every row respects the schema's CHECKs.
"""

import time

from sqlalchemy import text

CATEGORIES = [
    ("marriage_family", "婚姻家庭纠纷"),
    ("neighbour", "邻里噪音纠纷"),
    ("housing_land", "房屋漏水纠纷"),
    ("contract", "买卖合同纠纷"),
    ("business", "经营合伙纠纷"),
    ("damages", "人身损害赔偿纠纷"),
    ("labour", "拖欠工资纠纷"),
    ("property_management", "物业服务纠纷"),
    ("land_forest", "宅基地边界纠纷"),
    ("expropriation", "征地拆迁补偿纠纷"),
    ("environment", "油烟污染纠纷"),
    ("medical", "医疗费用纠纷"),
    ("traffic", "交通事故赔偿纠纷"),
    ("consumer", "消费退款纠纷"),
    ("other", "其他民间纠纷"),
]
CHANNELS = ["walk_in", "police", "court", "grid", "phone", "online"]
PLACES = ["幸福小区", "东湖村", "新华街道", "锦绣花园", "南山村", "城关镇", "滨江苑", "北岭村"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀英", "建国", "建华", "国强", "志强", "秀兰", "桂英", "海燕", "晓东", "春梅", "玉兰", "文华", "德明",
    "红霞", "丽华", "建军", "志明", "小红", "淑珍", "凤英", "永刚", "金凤", "卫东",
]  # fmt: skip

#: Stations per district; police stations serve this many stations each.
DISTRICT_SIZE = 20
STATIONS_PER_POLICE = 4


def _array(values) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


def populate(conn, *, stations=2000, mediators_per_station=4, cases=1_000_000, events_per_case=10, log=print):
    """Load the province into an empty, migrated database on ``conn`` (one transaction)."""

    def run(label, sql, **params):
        start = time.perf_counter()
        result = conn.execute(text(sql), {"stations": stations, "per": mediators_per_station, **params})
        log(f"  {label:<28} {time.perf_counter() - start:6.1f} s")
        return result

    districts = -(-stations // DISTRICT_SIZE)
    police = -(-stations // STATIONS_PER_POLICE)
    conn.execute(text("SELECT setseed(0.42)"))
    run(
        "stations",
        f"""INSERT INTO station (id, code, name, address, district)
           SELECT g, 'S' || g, '调解驿站 ' || g, '', 'D' || (1 + (g - 1) / {DISTRICT_SIZE})
           FROM generate_series(1, :stations) g""",
    )
    # Police stations 1..P (each serving 4 stations), then one court per district.
    run(
        "agencies",
        """INSERT INTO agency (id, code, name, kind, address)
           SELECT g, 'P' || g, '派出所 ' || g, 'police', '' FROM generate_series(1, :police) g
           UNION ALL
           SELECT :police + d, 'C' || d, '人民法院 ' || d, 'court', ''
           FROM generate_series(1, :districts) d""",
        police=police,
        districts=districts,
    )
    run(
        "agency_station",
        f"""INSERT INTO agency_station (agency_id, station_id)
           SELECT 1 + (s - 1) / {STATIONS_PER_POLICE}, s FROM generate_series(1, :stations) s
           UNION ALL
           SELECT :police + 1 + (s - 1) / {DISTRICT_SIZE}, s FROM generate_series(1, :stations) s""",
        police=police,
    )
    # Every account shares one precomputed hash: hashing 10,000 passwords would only measure hashing (the
    # benchmark sets real passwords on the accounts it signs in as).
    mediators = stations * mediators_per_station
    sup0, admin_id, liaison0 = mediators, mediators + districts + 1, mediators + districts + 1
    run(
        "users",
        f"""INSERT INTO "user" (id, username, display_name, password_hash, role, agency_id, phone, email,
                                locale, active, created_at)
           SELECT g, 'm' || g, '调解员' || g, 'x', 'mediator', NULL::int, '', '', '', true, now()
           FROM generate_series(1, :mediators) g
           UNION ALL
           SELECT {sup0} + d, 'sup' || d, '主管' || d, 'x', 'supervisor', NULL, '', '', '', true, now()
           FROM generate_series(1, :districts) d
           UNION ALL
           SELECT {admin_id}, 'admin', '管理员', 'x', 'admin', NULL, '', '', '', true, now()
           UNION ALL
           SELECT {liaison0} + a.id, 'liaison' || a.id, '联络员' || a.id, 'x', 'liaison', a.id, '', '', '',
                  true, now()
           FROM agency a""",
        mediators=mediators,
        districts=districts,
    )
    run(
        "user_station",
        f"""INSERT INTO user_station (user_id, station_id)
           SELECT g, (g - 1) / :per + 1 FROM generate_series(1, :mediators) g
           UNION ALL
           SELECT {sup0} + 1 + (s - 1) / {DISTRICT_SIZE}, s FROM generate_series(1, :stations) s""",
        mediators=mediators,
    )

    # One plan row per case: its station, its random draws and the moments of its history. ``span`` is how
    # long its story took (at most 70 days, never past now); every moment is a fraction of it.
    run(
        "plan",
        """CREATE TEMPORARY TABLE plan ON COMMIT DROP AS
           SELECT g, st, reg, span, r2, r3, r4, r5, state, outcome,
                  CASE WHEN state = 'registered' OR outcome = 'declined' THEN NULL
                       ELSE reg + span * 0.05 * r2 END AS acc,
                  reg + span * (0.1 + 0.5 * r4) AS med_end
           FROM (SELECT *,
                        CASE WHEN closing THEN
                                  CASE WHEN r3 < 0.62 THEN 'resolved' WHEN r3 < 0.82 THEN 'unresolved'
                                       WHEN r3 < 0.92 THEN 'withdrawn' ELSE 'declined' END
                        END AS outcome,
                        CASE WHEN closing THEN 'closed'
                             WHEN r3 < 0.12 THEN 'registered' WHEN r3 < 0.50 THEN 'mediating'
                             WHEN r3 < 0.60 THEN 'referred' WHEN r3 < 0.68 THEN 'with_agency'
                             ELSE 'following_up' END AS state
                 FROM (SELECT *, least(now() - reg, interval '70 days') AS span,
                              r < CASE WHEN age >= 120 THEN 0.97 WHEN age >= 60 THEN 0.85
                                       WHEN age >= 30 THEN 0.6 WHEN age >= 10 THEN 0.3 ELSE 0.05 END
                                  AS closing
                       FROM (SELECT g, 1 + g % :stations AS st, age, r, r2, r3, r4, r5,
                                    now() - (age + r5) * interval '1 day' AS reg
                             FROM (SELECT g, floor(random() * 1825) AS age, random() AS r, random() AS r2,
                                          random() AS r3, random() AS r4, random() AS r5
                                   FROM generate_series(1, :cases) g) a) b) c) d""",
        cases=cases,
    )
    conn.execute(text("""ALTER TABLE plan ADD PRIMARY KEY (g)"""))
    conn.execute(
        text(
            """ALTER TABLE plan ADD COLUMN closed timestamptz, ADD COLUMN entered timestamptz,
                                ADD COLUMN mediator int, ADD COLUMN first_closed timestamptz"""
        )
    )
    run(
        "plan: closing moments",
        """UPDATE plan SET
             closed = CASE WHEN state <> 'closed' THEN NULL
                           WHEN outcome = 'declined' THEN reg + span * 0.05 * r2
                           WHEN outcome = 'resolved' THEN med_end + span * 0.3 * r2
                           ELSE med_end END,
             mediator = (st - 1) * :per + 1 + (g / :stations) % :per""",
    )
    # Reopened cases (a supervisor's 重新调解): one old mediating case in 5 closed once as "unresolved" when
    # its mediation ended, and is open again. Every closed case's first closure is its closure.
    run(
        "plan: first closure",
        """UPDATE plan SET first_closed = CASE WHEN state = 'closed' THEN closed
                                           WHEN state = 'mediating' AND reg < now() - interval '120 days'
                                                AND g % 5 = 0 THEN med_end END""",
    )
    run(
        "plan: state entered",
        """UPDATE plan SET entered = CASE state WHEN 'registered' THEN reg WHEN 'mediating' THEN acc
                                                WHEN 'closed' THEN closed ELSE med_end END""",
    )
    categories = _array(code for code, _ in CATEGORIES)
    phrases = _array(phrase for _, phrase in CATEGORIES)
    run(
        "cases",
        f"""INSERT INTO "case" (id, number, station_id, year, seq, title, facts, category, channel, place,
                 amount, risk_level, external_ref, state, outcome, mediator_id, registered_by_id,
                 registered_at, accepted_at, state_entered_at, rights_notified_at, closed_at, updated_at,
                 version, first_closed_at, first_outcome, first_closed_on_time, days_to_close)
           SELECT g, 'S' || st || '-' || yr || '-' || lpad(g::text, 7, '0'), st, yr, g,
                  place || ' ' || phrase,
                  '申请人称' || place || '发生' || phrase || '，双方协商未果，请求调解。编号' || g,
                  category, ({_array(CHANNELS)})[1 + (g / :stations) % 6], place,
                  CASE WHEN r5 < 0.4 THEN round((r5 * 250000)::numeric, 2) END,
                  CASE WHEN g % 20 = 0 THEN 'high' WHEN g % 5 = 0 THEN 'medium' ELSE 'low' END, '',
                  state, outcome, mediator, mediator, reg, acc, entered, acc, closed,
                  coalesce(closed, entered), 10, first_closed,
                  CASE WHEN first_closed IS NOT NULL THEN coalesce(outcome, 'unresolved') END,
                  first_closed IS NOT NULL OR NULL,
                  (first_closed AT TIME ZONE 'Asia/Shanghai')::date - (reg AT TIME ZONE 'Asia/Shanghai')::date
           FROM (SELECT p.*, extract(year FROM reg)::int AS yr,
                        ({categories})[1 + (g / :stations) % 15] AS category,
                        ({phrases})[1 + (g / :stations) % 15] AS phrase,
                        ({_array(PLACES)})[1 + (g / 15) % {len(PLACES)}] AS place
                 FROM plan p) c""",
    )
    run(
        "case_counter",
        """INSERT INTO case_counter (station_id, year, last_seq)
           SELECT station_id, year, max(seq) FROM "case" GROUP BY station_id, year""",
    )

    # Outbound referrals: every referred or with-agency case, and one closed case in ten (not declined).
    # A third go to the district's court (litigation), the rest to the police station serving the station.
    run(
        "referrals",
        f"""INSERT INTO referral (case_id, station_id, direction, agency_id, kind, agency_case_number, reason,
                 urgent, status, created_by_id, created_at, answered_by_id, answered_at, response, result,
                 closed_at, feedback, feedback_outcome)
           SELECT g, st, 'out', CASE WHEN court THEN :police + 1 + (st - 1) / {DISTRICT_SIZE}
                                 ELSE 1 + (st - 1) / {STATIONS_PER_POLICE} END,
                  CASE WHEN court THEN 'litigation' ELSE 'police' END, '', '矛盾有激化风险', g % 7 = 0,
                  status, mediator, created,
                  CASE WHEN answered IS NOT NULL THEN {liaison0} + CASE WHEN court
                       THEN :police + 1 + (st - 1) / {DISTRICT_SIZE} ELSE 1 + (st - 1) / {STATIONS_PER_POLICE}
                       END END,
                  answered, CASE WHEN answered IS NOT NULL THEN '已收到' ELSE '' END,
                  CASE WHEN status = 'resolved' THEN '已处理完毕' ELSE '' END,
                  CASE WHEN status IN ('resolved', 'returned')
                       THEN least(answered + span * 0.03, now()) END,
                  '', NULL
           FROM (SELECT *, least(created + r5 * interval '48 hours', now()) AS answered_if
                 FROM (SELECT *, g % 3 = 0 AS court,
                              CASE WHEN state IN ('referred', 'with_agency') THEN med_end
                                   ELSE coalesce(acc, reg) + span * 0.02 END AS created,
                              CASE state WHEN 'referred' THEN 'pending' WHEN 'with_agency' THEN 'accepted'
                                   ELSE (ARRAY['resolved', 'resolved', 'declined', 'returned',
                                               'resolved'])[1 + (g / 10) % 5] END AS status
                       FROM plan
                       WHERE state IN ('referred', 'with_agency')
                          OR (state = 'closed' AND outcome <> 'declined' AND g % 10 = 0)) r) q
                 CROSS JOIN LATERAL (SELECT CASE WHEN status = 'pending' THEN NULL ELSE answered_if END
                                     AS answered) a""",
        police=police,
    )
    run(
        "agreements",
        """INSERT INTO agreement (case_id, station_id, oral, facts_and_responsibility, terms,
                 performance_method, performance_place, performance_deadline, signatures_recorded,
                 effective_on, recorded_by_id, created_at, jc_court_case_number)
           SELECT g, st, g % 9 = 0, '', '双方自愿达成如下协议：被申请人于期限内支付款项。', '一次性支付', '',
                  (med_end + interval '30 days')::date, true, med_end::date, mediator, med_end, ''
           FROM plan WHERE state = 'following_up' OR outcome = 'resolved'""",
    )
    run(
        "follow-up visits",
        """INSERT INTO follow_up_visit (case_id, station_id, scheduled_for, done_on, visitor_id, method,
                 party_reached, purpose, performance, satisfaction, lawsuit_filed, lawsuit_result,
                 renewed_conflict, measures, notes, cancel_reason, created_at)
           SELECT g, st, (med_end + interval '7 days')::date,
                  CASE WHEN state = 'closed' THEN closed::date END,
                  mediator, (ARRAY['in_person', 'phone', 'video'])[1 + g % 3],
                  CASE WHEN state = 'closed' THEN '申请人' ELSE '' END, '了解协议履行情况',
                  CASE WHEN state <> 'closed' THEN NULL WHEN r4 < 0.8 THEN 'fully'
                       WHEN r4 < 0.95 THEN 'partly' ELSE 'not' END,
                  CASE WHEN state <> 'closed' THEN NULL WHEN r5 < 0.5 THEN 5 WHEN r5 < 0.8 THEN 4
                       WHEN r5 < 0.92 THEN 3 WHEN r5 < 0.97 THEN 2 ELSE 1 END,
                  false, '', false, '', '', '', coalesce(closed, med_end)
           FROM plan WHERE state = 'following_up' OR outcome = 'resolved'""",
    )

    # Deadline rows, as the lifecycle opens and closes them. ``late`` rows are met after they fell due.
    deadline = """INSERT INTO deadline (case_id, station_id, kind, variant, started_at, due_at, warn_at, days,
                       unit, calendar_known, opened_by, closed_by, met_at, cancelled_at)"""
    run(
        "deadlines: acceptance",
        f"""{deadline}
           SELECT g, st, 'acceptance', '', reg, reg + interval '3 days', reg + interval '2 days', 3,
                  'working', true, 'register',
                  CASE WHEN state = 'registered' THEN '' WHEN acc IS NULL THEN 'decline' ELSE 'accept' END,
                  CASE WHEN state = 'registered' THEN NULL ELSE coalesce(acc, closed) END, NULL
           FROM plan""",
    )
    run(
        "deadlines: mediation",
        f"""{deadline}
           SELECT g, st, 'mediation', '', acc, acc + interval '30 days', acc + interval '25 days', 30,
                  'calendar', true, 'accept',
                  CASE WHEN state = 'mediating' THEN '' WHEN outcome = 'withdrawn' THEN 'withdraw'
                       WHEN state IN ('referred', 'with_agency') THEN 'refer' ELSE 'conclude' END,
                  CASE WHEN state = 'following_up' OR outcome IN ('resolved', 'unresolved')
                       THEN med_end END,
                  CASE WHEN outcome = 'withdrawn' THEN closed WHEN state IN ('referred', 'with_agency')
                       THEN med_end END
           FROM plan WHERE acc IS NOT NULL""",
    )
    run(
        "deadlines: referrals",
        f"""{deadline}
           SELECT r.case_id, p.st, 'referral_answer', r.kind, r.created_at,
                  r.created_at + CASE WHEN r.kind = 'police' THEN interval '1 day'
                                      ELSE interval '7 days' END,
                  r.created_at + CASE WHEN r.kind = 'police' THEN interval '18 hours'
                                      ELSE interval '5 days' END,
                  CASE WHEN r.kind = 'police' THEN 1 ELSE 7 END, 'calendar', true, 'refer',
                  CASE WHEN r.answered_at IS NULL THEN '' ELSE 'answer' END, r.answered_at, NULL::timestamptz
           FROM referral r JOIN plan p ON p.g = r.case_id
           UNION ALL
           SELECT r.case_id, p.st, 'referral_result', r.kind, r.answered_at,
                  r.answered_at + CASE WHEN r.kind = 'police' THEN interval '5 days'
                                       ELSE interval '30 days' END,
                  r.answered_at + CASE WHEN r.kind = 'police' THEN interval '4 days'
                                       ELSE interval '25 days' END,
                  CASE WHEN r.kind = 'police' THEN 5 ELSE 30 END, 'calendar', true, 'answer',
                  CASE WHEN r.closed_at IS NULL THEN '' ELSE 'result' END, r.closed_at, NULL
           FROM referral r JOIN plan p ON p.g = r.case_id
           WHERE r.status IN ('accepted', 'resolved', 'returned')""",
    )
    run(
        "deadlines: follow-up",
        f"""{deadline}
           SELECT g, st, 'follow_up', '', med_end, med_end + interval '7 days',
                  med_end + interval '5 days', 7, 'calendar', true, 'conclude',
                  CASE WHEN state = 'closed' THEN 'record_visit' ELSE '' END,
                  closed, NULL
           FROM plan WHERE state = 'following_up' OR outcome = 'resolved'""",
    )

    # Supervision (督办): open on one open case in 25, ended (the case closed) on one closed case in 300.
    run(
        "supervisions",
        f"""INSERT INTO supervision (case_id, station_id, supervisor_id, urgency, due_on, request, created_at,
                 ended_at, ending, conclusion)
           SELECT g, st, {sup0} + 1 + (st - 1) / {DISTRICT_SIZE},
                  (ARRAY['ordinary', 'key', 'urgent'])[1 + g % 3], (created + interval '7 days')::date,
                  '请加快办理并报告进展', created, CASE WHEN state = 'closed' THEN closed END,
                  CASE WHEN state = 'closed' THEN 'case_closed' END, ''
           FROM (SELECT *, CASE WHEN state = 'closed' THEN reg + (closed - reg) / 2
                                ELSE least(entered + interval '10 days', now()) END AS created
                 FROM plan
                 WHERE (state <> 'closed' AND g % 25 = 0) OR (state = 'closed' AND g % 300 = 0)) s""",
    )
    run(
        "supervision answers",
        """INSERT INTO supervision_answer (supervision_id, author_id, text, created_at)
           SELECT s.id, p.mediator, '已约双方当事人再次调解', least(s.created_at + interval '2 days', now())
           FROM supervision s JOIN plan p ON p.g = s.case_id WHERE s.id % 2 = 0""",
    )
    run(
        "deadlines: supervision",
        f"""{deadline}
           SELECT s.case_id, s.station_id, 'supervision', '', s.created_at, s.created_at + interval '7 days',
                  s.created_at + interval '5 days', 5, 'working', true, 'supervise',
                  CASE WHEN s.ended_at IS NULL THEN '' ELSE 'case_closed' END, NULL, s.ended_at
           FROM supervision s""",
    )
    # A first closure was late when a deadline the case had then (none of these lapses) had passed before it
    # was met or cancelled, or was still open past its due moment (``transitions._record_first_closure``).
    run(
        "case: closed late",
        """UPDATE "case" c SET first_closed_on_time = false
           WHERE c.first_closed_at IS NOT NULL
             AND EXISTS (SELECT 1 FROM deadline d
                         WHERE d.case_id = c.id AND d.started_at < c.first_closed_at
                           AND coalesce(d.met_at, d.cancelled_at, c.first_closed_at) > d.due_at)""",
    )
    run(
        "case: supervision urgency",
        """UPDATE "case" c SET supervision_urgency = s.urgency
           FROM supervision s WHERE s.case_id = c.id AND s.ended_at IS NULL""",
    )
    run(
        "case: next due",
        """UPDATE "case" c SET next_due_at = d.due
           FROM (SELECT case_id, min(due_at) AS due FROM deadline
                 WHERE met_at IS NULL AND cancelled_at IS NULL GROUP BY case_id) d
           WHERE d.case_id = c.id""",
    )

    # Parties: an applicant per case, and a respondent who is another case's applicant (people come back).
    # 30 surnames × 40 given names: 1,200 names, each shared by about 800 parties at 1,000,000 cases.
    names = (
        f"substr('{SURNAMES}', 1 + (g * 7) % {len(SURNAMES)}, 1)"
        f" || ({_array(GIVEN)})[1 + (g / {len(SURNAMES)} * 13) % {len(GIVEN)}]"
    )
    run(
        "parties",
        f"""INSERT INTO party (kind, name, phone, id_number, address, sex, ethnicity, occupation,
                              legal_representative, credit_code, created_at, version)
           SELECT CASE WHEN g % 17 = 0 THEN 'organisation' ELSE 'person' END,
                  CASE WHEN g % 17 = 0 THEN '某某公司 ' || g ELSE {names} END,
                  '138' || lpad(g::text, 8, '0'), '', '', '', '', '', '', '', now(), 1
           FROM generate_series(1, :cases) g""",
        cases=cases,
    )
    run(
        "case_party",
        """INSERT INTO case_party (case_id, party_id, role, position)
           SELECT id, id, 'applicant', 0 FROM "case"
           UNION ALL
           SELECT id, 1 + (id::bigint * 7919) % :cases, 'respondent', 1 FROM "case"
           WHERE (id::bigint * 7919) % :cases + 1 <> id""",
        cases=cases,
    )
    run(
        "events",
        """INSERT INTO event (case_id, at, actor_id, kind, action, from_state, to_state, case_version, data)
           SELECT g, least(reg + span * e / :k, now()), mediator,
                  CASE WHEN e = 0 THEN 'intake' ELSE 'update' END,
                  CASE WHEN e = 0 THEN 'register' ELSE 'record_session' END,
                  state, state, 1 + e, '{}'::json
           FROM plan CROSS JOIN generate_series(0, :k - 1) e""",
        k=events_per_case,
    )
    for table in ("station", "agency", "user", "case"):
        conn.execute(
            text(f"""SELECT setval(pg_get_serial_sequence('"{table}"', 'id'), max(id)) FROM "{table}" """)
        )
    run("analyze", "ANALYZE")
