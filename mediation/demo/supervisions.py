"""督办 in the demo: each station's supervisor presses its most overdue case in mediation, through the
service, a few days ago; on some the mediator has already answered."""

from datetime import timedelta

from sqlalchemy import select

from mediation.clock import local_date
from mediation.demo.stations import supervisor_of
from mediation.demo.writer import Writer
from mediation.extensions import db
from mediation.models import Case
from mediation.services import supervision

REQUESTS = (
    ("urgent", "该案已超过调解期限，双方矛盾有激化迹象，请三日内说明进展并提出化解方案。"),
    ("key", "该案调解时间较长，请加快进度，及时向双方释明法律规定，争取尽快达成协议。"),
    ("ordinary", "请梳理该案调解情况，确定下一次调解时间并报告。"),
)
ANSWER = "已联系双方当事人，约定本周内再次组织调解；已请社区网格员协助做好稳控工作。"


def write_supervisions(writer: Writer) -> int:
    """One supervision per station, on its mediating case longest overdue; the answer on every other one.
    Returns how many it wrote."""
    written = 0
    for index, (code, station) in enumerate(sorted(writer.stations.items())):
        case = db.session.scalar(
            select(Case)
            .where(Case.station_id == station.id, Case.state == "mediating", Case.next_due_at < writer.now)
            .order_by(Case.next_due_at, Case.id)
            .limit(1)
        )
        if case is None:
            continue
        urgency, request = REQUESTS[index % len(REQUESTS)]
        started = writer.now - timedelta(days=4)
        due_on = local_date(started) + timedelta(days=3 + index % 5)
        boss = writer.users[supervisor_of(code)]
        supervision.start(
            boss, case, case.version, urgency=urgency, due_on=due_on, request=request, now=started
        )
        if index % 2 == 0 and case.mediator is not None:
            supervision.answer(
                case.mediator, case, case.version, text=ANSWER, now=started + timedelta(days=1)
            )
        written += 1
    return written
