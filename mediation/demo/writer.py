"""Writes the plans through the real services, as the people in them would have, at the planned times.

Nothing here writes a row around the services: ``register_case`` registers each case (with the referral an
agency sent it with), ``apply_step`` fires each step with the data it requires, ``record_session``,
``judicial`` (the court's answers by its liaison) and ``followups`` record the sittings, judicial
confirmation and visits, all back-dated with ``now=``; so each case's events replay to its state. Everything
is flushed, nothing committed.
"""

import random
from datetime import datetime, timedelta
from zlib import crc32

from werkzeug.security import generate_password_hash

from mediation.clock import local_date
from mediation.demo.planner import Plan
from mediation.demo.stations import (
    AGENCIES,
    DEMO_PASSWORD,
    MEDIATORS,
    SENDERS,
    STATIONS,
    USERS,
    agency_for,
    liaison_of,
    supervisor_of,
)
from mediation.demo.words import (
    AGENCY_DECLINES,
    AGENCY_RESULTS,
    AGENCY_RETURNS,
    DECLINES,
    EXTENSIONS,
    REASSIGNS,
    RECALLS,
    REFER_REASONS,
    REOPENS,
    ROLE_WORDS,
    SESSION_NOTES,
    WITHDRAWALS,
)
from mediation.extensions import db
from mediation.models import Agency, Case, Station, User, VisitLogEntry
from mediation.services import judicial
from mediation.services.cases import CaseInput, register_case
from mediation.services.followups import plan_visit, planned_visits, record_visit
from mediation.services.inbound import send_dispute
from mediation.services.sessions import record_session
from mediation.services.station_log import link_case
from mediation.services.transitions import apply_step

#: Why each kind of agency sends a dispute, as its liaison writes it.
INBOUND_REASONS = {
    "police_handover": "属民事纠纷，建议驿站调解。",
    "court_delegated": "立案前委派调解。",
    "court_entrusted": "立案后委托调解（普通程序）。",
    "court_entrusted_summary": "立案后委托调解（简易程序）。",
    "government_assigned": "群众反映的邻里矛盾，交办驿站调解。",
}

#: A court that sent the dispute hears the result before the station closes it (调解情况反馈).
FEEDBACK_BEFORE = {
    "close": ("agreement", "贵院{number}案件经驿站调解，双方已达成调解协议并履行完毕，特此反馈。"),
    "fail_mediation": ("failure", "贵院{number}案件经驿站调解，双方未能达成一致，调解不成，请依法审理。"),
    "withdraw": ("withdrawn", "贵院{number}案件申请人已撤回调解申请，现将情况反馈贵院。"),
}


class Writer:
    """Writes the stations, agencies and accounts, then each plan's case; keeps the rows it wrote by code."""

    def __init__(self, rng: random.Random, now: datetime):
        self.rng = rng
        self.now = now
        self.stations: dict[str, Station] = {}
        self.agencies: dict[str, Agency] = {}
        self.users: dict[str, User] = {}

    def reference_data(self) -> None:
        """The stations, agencies and accounts, each account with the demo password."""
        for spec in STATIONS:
            station = Station(code=spec.code, name=spec.name, address=spec.address, district=spec.district)
            db.session.add(station)
            self.stations[spec.code] = station
        db.session.flush()
        for spec in AGENCIES:
            agency = Agency(
                code=spec.code, name=spec.name, kind=spec.kind, address=spec.address,
                stations=[self.stations[code] for code in spec.stations],
            )  # fmt: skip
            db.session.add(agency)
            self.agencies[spec.code] = agency
        db.session.flush()
        password_hash = generate_password_hash(DEMO_PASSWORD)  # hashing is slow by design: do it once
        for spec in USERS:
            user = User(
                username=spec.username,
                display_name=spec.display_name,
                role=spec.role,
                password_hash=password_hash,
                phone="13" + f"{crc32(spec.username.encode()) % 10**9:09d}",
                email=f"{spec.username}@demo.invalid",  # a reserved domain: nothing is ever delivered
                stations=[self.stations[code] for code in spec.stations],
                agency=self.agencies[spec.agency] if spec.agency else None,
                created_at=self.now - timedelta(days=380),
            )
            db.session.add(user)
            self.users[spec.username] = user
        db.session.flush()

    def case(self, plan: Plan, log_entry: VisitLogEntry | None = None) -> Case:
        """The plan's case, through the services; ``log_entry`` is the visit-log entry it is registered
        from, linked as intake links it."""
        station = self.stations[plan.station.code]
        registered_at = plan.times[0]
        this_week = (local_date(self.now) - local_date(registered_at)).days <= local_date(self.now).weekday()
        details = CaseInput(
            title=plan.title,
            category=plan.story.category,
            channel=plan.channel,
            facts=plan.facts,
            place=plan.place,
            amount=plan.amount,
            risk_level=plan.risk,
            external_ref=plan.external_ref,
        )
        if plan.inbound_kind:
            # The agency's liaison sends it from their workspace; the station's mediator accepts it.
            sender = self.users[liaison_of(agency_for(plan.station.code, SENDERS[plan.channel]).code)]
            reason = INBOUND_REASONS[plan.inbound_kind]
            case = send_dispute(
                sender, station, plan.inbound_kind, details, plan.parties,
                agency_case_number=plan.external_ref, reason=reason, now=registered_at,
            )  # fmt: skip
        else:
            case = register_case(
                self.users[plan.registrar],
                station,
                details,
                plan.parties,
                # This week's new cases go to whoever the roster has on duty, as intake does.
                mediator=None if this_week else self.users[plan.mediator],
                now=registered_at,
            )
        if log_entry is not None:
            link_case(self.users[plan.registrar], log_entry, case, now=registered_at)
        for action, at in zip(plan.actions[1:], plan.times[1:], strict=True):
            getattr(self, "_" + action.kind)(case, plan, action, at)
        return case

    # the actions -------------------------------------------------------------------------------------------

    def _step(self, case: Case, trigger: str, actor: User, at: datetime, **data) -> None:
        referral = case.inbound_referral
        if trigger in FEEDBACK_BEFORE and referral is not None and referral.feedback_owed:
            outcome, text = FEEDBACK_BEFORE[trigger]
            apply_step(
                case, "send_feedback", actor, version=case.version, now=at,
                outcome=outcome, feedback=text.format(number=referral.agency_case_number),
            )  # fmt: skip
        apply_step(case, trigger, actor, version=case.version, now=at, **data)

    def _mediator(self, case: Case, plan: Plan) -> User:
        """Who mediates: the plan's mediator takes a dispute an agency sent while nobody was on duty."""
        return case.mediator or self.users[plan.mediator]

    def _liaison(self, case: Case) -> User:
        return self.users[liaison_of(case.active_referral.agency.code)]

    def _agency(self, plan: Plan, kind: str) -> Agency:
        return self.agencies[agency_for(plan.station.code, kind).code]

    def _accept(self, case, plan, action, at):
        mediator = self._mediator(case, plan)
        self._step(case, "accept", mediator, at, mediator=mediator)

    def _decline(self, case, plan, action, at):
        reason, note = self.rng.choice(DECLINES)
        self._step(case, "decline", self._mediator(case, plan), at, reason=reason, note=note)

    def _withdraw(self, case, plan, action, at):
        reason = self.rng.choice(WITHDRAWALS).format_map(plan.vars)
        self._step(case, "withdraw", self._mediator(case, plan), at, reason=reason)

    def _refer(self, case, plan, action, at):
        agency = self._agency(plan, plan.refer_kind)
        self._step(
            case,
            "refer",
            self._mediator(case, plan),
            at,
            agency=agency,
            reason=REFER_REASONS[plan.refer_kind],
        )

    def _accept_referral(self, case, plan, action, at):
        """The police give the matter their own number (警情号) as they take it."""
        number = ""
        if case.active_referral.kind == "police":
            short = next(a.short for a in AGENCIES if a.code == case.active_referral.agency.code)
            number = f"{short}受案〔{local_date(at).year}〕{self.rng.randint(100, 999)}号"
        self._step(case, "accept_referral", self._liaison(case), at, agency_case_number=number)

    def _decline_referral(self, case, plan, action, at):
        self._step(case, "decline_referral", self._liaison(case), at, reason=AGENCY_DECLINES[plan.refer_kind])

    def _recall_referral(self, case, plan, action, at):
        self._step(case, "recall_referral", self._mediator(case, plan), at, reason=self.rng.choice(RECALLS))

    def _return_to_station(self, case, plan, action, at):
        self._step(case, "return_to_station", self._liaison(case), at, result=AGENCY_RETURNS[plan.refer_kind])

    def _resolve_by_agency(self, case, plan, action, at):
        result = AGENCY_RESULTS[plan.refer_kind].format_map(plan.vars)
        self._step(case, "resolve_by_agency", self._liaison(case), at, result=result)

    def _reassign(self, case, plan, action, at):
        others = [u for u in MEDIATORS[plan.station.code] if u != self._mediator(case, plan).username]
        new = self.users[self.rng.choice(others)]
        reason = self.rng.choice(REASSIGNS).format(new=new.display_name)
        self._step(case, "reassign", self._mediator(case, plan), at, mediator=new, reason=reason)

    def _extend(self, case, plan, action, at):
        self._step(
            case,
            "extend",
            self._mediator(case, plan),
            at,
            consent_recorded=True,
            reason=self.rng.choice(EXTENSIONS),
        )

    def _session(self, case, plan, action, at):
        rng, vars = self.rng, plan.vars
        mediator = self._mediator(case, plan)
        first = case.rights_notified_at is None
        notes = (
            "调解员告知双方人民调解的性质、原则及当事人的权利义务，分别听取双方陈述，核实相关证据。"
            if first
            else rng.choice(SESSION_NOTES).format_map(vars)
        )
        place = f"{plan.station.name}调解室"
        if first and plan.story.onsite:
            notes += plan.story.onsite.format_map(vars)
            place = f"{vars['village'] if plan.story.setting == 'village' else vars['place']}现场"
        position = next(i for i, a in enumerate(plan.actions) if a is action)
        upcoming = plan.actions[position + 1].kind if position + 1 < len(plan.actions) else ""
        if upcoming == "reach_agreement":
            result = "双方达成一致意见，同意签订调解协议。"
        elif upcoming == "fail_mediation":
            result = f"{plan.story.fail.format_map(vars)}，未能达成一致。"
        else:
            result = "双方分歧有所缩小，约定下次继续调解。"
        attendees = "；".join(
            [f"{ROLE_WORDS[link.role]}{link.party.name}" for link in case.party_links]
            + [f"调解员{mediator.display_name}"]
        )
        # Recorded as the sitting ends; it began half an hour or so earlier.
        record_session(
            case, mediator, held_at=at - timedelta(minutes=rng.randint(20, 35)), place=place,
            attendees=attendees, notes=notes, result=result, rights_notified=True, now=at,
        )  # fmt: skip

    def _reach_agreement(self, case, plan, action, at):
        deadline = local_date(at) + timedelta(days=action.data["deadline_days"])
        vars = {**plan.vars, "deadline": f"{deadline.year}年{deadline.month}月{deadline.day}日"}
        terms = plan.story.terms.format_map(vars)
        if case.agreements:
            terms = "（补充协议）" + terms
        self._step(
            case, "reach_agreement", self._mediator(case, plan), at,
            terms=terms,
            facts_and_responsibility=plan.story.facts.format_map(vars)[:500],
            performance_method="银行转账或现金支付" if plan.amount else "按协议约定自行履行",
            performance_place=plan.station.name,
            performance_deadline=deadline,
            signatures_recorded=True,
        )  # fmt: skip

    def _judicial_confirmation(self, case, plan, action, at):
        """Some parties jointly ask the court to confirm a larger agreement (司法确认), and it does."""
        if not plan.amount or plan.amount < 5000 or self.rng.random() < 0.6:
            return
        court = self._agency(plan, "court")
        clerk = self.users[liaison_of(court.code)]
        # The parties applied a few days ago and the mediator records it as the court's ruling arrives: the
        # court accepted it within three days and ruled soon after (its liaison records both now).
        decided = local_date(at)
        applied = max(case.current_agreement.effective_on, decided - timedelta(days=self.rng.randint(1, 3)))
        accepted = min(decided, applied + timedelta(days=self.rng.randint(0, 1)))
        number = f"（{applied.year}）{plan.station.court_code}民特{self.rng.randint(10, 900)}号"
        judicial.apply_for_confirmation(case.mediator, case, None, applied_on=applied, court=court, now=at)
        judicial.answer_application(
            clerk, case, None, answer="accepted", answered_on=accepted, court_case_number=number, now=at
        )
        judicial.decide_confirmation(
            clerk, case, None, decision="valid", decided_on=decided, court_case_number=number, now=at
        )

    def _visit(self, case, plan, action, at):
        rng, vars = self.rng, plan.vars
        performed = action.data["performed"]
        applicant = case.parties_in("applicant")[0]
        if performed:
            notes = f"回访{applicant.name}，{vars['b']}已按协议履行，双方关系缓和，未发现矛盾反复迹象。"
        else:
            notes = f"回访{applicant.name}，{vars['b']}至今未按协议履行，{vars['a']}情绪不满，要求再次调解。"
        planned = next(iter(planned_visits(case)), None)
        record_visit(
            case.mediator, case,
            done_on=local_date(at),
            method=rng.choice(("in_person", "in_person", "phone")),
            party_reached=applicant.name,
            performance="fully" if performed else self.rng.choice(("partly", "not")),
            satisfaction=rng.choice((4, 5, 5, 5, 3)) if performed else rng.choice((1, 2, 2)),
            renewed_conflict=not performed and rng.random() < 0.5,
            notes=notes,
            planned=planned,
            now=at,
        )  # fmt: skip

    def _visit_after_failure(self, case, plan, action, at):
        applicant = case.parties_in("applicant")[0]
        record_visit(
            case.mediator, case,
            done_on=local_date(at),
            method="phone",
            party_reached=applicant.name,
            purpose="调解不成后回访，了解纠纷后续处理情况",
            satisfaction=self.rng.choice((3, 4)),
            lawsuit_filed=True,
            lawsuit_result="已立案，正在审理中",
            notes=f"电话回访{applicant.name}，其已按建议向人民法院起诉，未发现矛盾激化迹象。",
            now=at,
        )  # fmt: skip

    def _schedule_visit(self, case, plan, action, at):
        """The step that concluded the mediation planned the first visit; plan one only if it was not."""
        if planned_visits(case):
            return
        agreement = case.current_agreement
        scheduled_for = agreement.performance_deadline if agreement else local_date(at) + timedelta(days=7)
        plan_visit(case.mediator, case, scheduled_for=max(scheduled_for, local_date(at)), now=at)

    def _report_breach(self, case, plan, action, at):
        reason = f"回访发现{plan.vars['b']}未按期履行协议，{plan.vars['a']}申请再次调解。"
        self._step(case, "report_breach", self._mediator(case, plan), at, reason=reason)

    def _fail_mediation(self, case, plan, action, at):
        body = agency_for(
            plan.station.code, "labour_arbitration" if plan.story.category == "labour" else "court"
        )
        if plan.story.category == "expropriation":
            advice = "告知当事人可依法申请行政复议或提起行政诉讼。"
        elif body.kind == "labour_arbitration":
            advice = f"告知申请人可在仲裁时效内向{body.name}申请劳动仲裁，并可申请法律援助。"
        else:
            advice = f"告知双方可向{body.name}提起诉讼，驿站可协助申请法律援助。"
        reason = plan.story.fail.format_map(plan.vars) + "，经多次调解未能达成协议。"
        self._step(case, "fail_mediation", self._mediator(case, plan), at, reason=reason, advice=advice)

    def _reopen(self, case, plan, action, at):
        supervisor = self.users[supervisor_of(plan.station.code)]
        self._step(case, "reopen", supervisor, at, reason=self.rng.choice(REOPENS))

    def _close(self, case, plan, action, at):
        self._step(
            case,
            "close",
            self._mediator(case, plan),
            at,
            note="回访确认协议已履行完毕，双方无异议，予以结案。",
        )
