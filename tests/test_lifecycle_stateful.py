"""Random walks through the lifecycle: random steps, by random people, with complete or broken data.

A small model kept by the test itself (not by ``policy`` or the engine) says what each attempt should do:
fire, or be refused with which code. After every step the invariants are checked against the database: the
state and the open deadlines are the replay of the events, closed cases (and only they) have an outcome,
and a refused step changed nothing.
"""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import event as tally
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from mediation import lifecycle
from mediation.clock import local_date, utcnow
from mediation.errors import Conflict, Refused
from mediation.models import Case, Event
from mediation.services import followups
from mediation.services.transitions import apply_step
from tests.conftest import make_case, purge, snapshot, step_data

PERSONAS = ("mediator", "colleague", "outsider", "police_liaison", "court_liaison", "supervisor", "admin")
#: Who serves at (or oversees) which station, and which agency each liaison speaks for.
SERVES = {"XLG": {"mediator", "colleague", "supervisor"}, "DHJ": {"outsider"}}
AGENCY_OF = {"police_liaison": "XGPS", "court_liaison": "XGFY"}
#: Mediators by username, and where they serve.
MEDIATOR_AT = {"wang": "XLG", "zhao": "XLG", "chen": "DHJ"}
ALL_FIELDS = sorted({f.name for s in lifecycle.STEPS.values() for f in s.fields})
#: Rows that outlive one example; everything else is the example's own and deleted in teardown.
KEEP = {"station", "agency", "agency_station", "user", "user_station"}
#: True about one time in eight.
SELDOM = st.integers(0, 7).map(lambda n: n == 0)


def replay_deadlines(open_kinds: set, event) -> set:
    """The deadlines open after ``event``, from what its trail says it did to them."""
    changes = (event.data or {}).get("deadlines", {})
    closed = set(changes.get("met", [])) | set(changes.get("cancelled", []))
    return (open_kinds - closed) | {d["kind"] for d in changes.get("opened", [])}


def test_random_walks_keep_the_lifecycle_invariants(app, db, station, other_station, police, court, people):
    mediator, colleague, outsider = people["mediator"], people["colleague"], people["outsider"]
    role_of = {persona: user.role for persona, user in people.items()}
    for agency in (police, court):  # both serve both stations
        agency.stations.append(other_station)
    db.session.commit()

    class Lifecycle(RuleBasedStateMachine):
        """Three cases (two at the station, one at another); the model is a dict per case."""

        def __init__(self):
            super().__init__()
            self.model = {}
            #: The cases the last rule touched: only they can have changed.
            self.touched = set()

        @initialize()
        def register_cases(self):
            for where, who in ((station, mediator), (station, colleague), (other_station, outsider)):
                case = make_case(where, who)
                self.touched.add(case.id)
                self.model[case.id] = {
                    "station": where.code,
                    "state": lifecycle.INITIAL_STATE,
                    "extended": False,
                    "performed_visit": False,
                    "agency": None,
                }
            db.session.commit()

        def teardown(self):
            db.session.rollback()
            purge(keep=KEEP)

        # --- The model: what the rules say should happen ----------------------------------------------------

        def expected(self, model, trigger, persona, data, dropped, stale):
            """The refusal code the attempt should get, or ``None`` when it should fire."""
            step = lifecycle.STEPS[trigger]
            if stale:
                return "stale_version"
            if model["state"] not in step.sources:
                return "invalid_state"
            # Feedback to a court, mediating again after a court found the agreement invalid: these are all
            # walk-in disputes, never brought to a court.
            if step.applies is not None:
                return "not_applicable"
            if role_of[persona] not in step.roles:
                return "wrong_role"
            in_scope = (
                persona in SERVES[model["station"]]
                if step.scope == lifecycle.STATION
                else model["agency"] is not None and AGENCY_OF.get(persona) == model["agency"]
            )
            if not in_scope:
                return "out_of_scope"
            required = {f.name for f in step.fields if f.required}
            if required & dropped:
                return "invalid_fields"
            pick = data.get("mediator")
            if "mediator" in {f.name for f in step.fields} and pick and MEDIATOR_AT[pick] != model["station"]:
                return "invalid_fields"
            if trigger == "extend" and model["extended"]:
                return "not_extended_yet"
            if (
                trigger == "reach_agreement"
                and data["performance_deadline"] < local_date(utcnow()).isoformat()
            ):
                return "performance_deadline_not_past"
            if trigger == "close" and not model["performed_visit"]:
                return "visit_found_performed"
            return None

        def advance(self, model, trigger, data):
            step = lifecycle.STEPS[trigger]
            dest = model["state"] if step.dest == "=" else step.dest
            if dest != model["state"]:
                # Leaving the state ends its mediation period, and with it the period's one extension.
                model["performed_visit"] = model["extended"] = False
            model["state"] = dest
            if trigger == "extend":
                model["extended"] = True
            if trigger == "refer":
                model["agency"] = data["agency"]
            elif trigger in ("decline_referral", "recall_referral", "return_to_station", "resolve_by_agency"):
                model["agency"] = None

        # --- Rules ------------------------------------------------------------------------------------------

        @rule(
            which=st.integers(0, 2),
            trigger=st.sampled_from(sorted(lifecycle.STEPS)),
            persona=st.sampled_from(PERSONAS),
            dropped=st.one_of(st.just(frozenset()), st.frozensets(st.sampled_from(ALL_FIELDS), min_size=1)),
            stale=SELDOM,
            agency=st.sampled_from(["XGPS", "XGFY"]),
            deadline_in=st.integers(-3, 40),
            pick=st.sampled_from(["", "wang", "zhao", "chen"]),
        )
        def fire_any_step(self, which, trigger, persona, dropped, stale, agency, deadline_in, pick):
            """Any step, by anyone, with any data: most of these are refused."""
            self.attempt(which, trigger, persona, dropped, stale, agency, deadline_in, pick)

        @rule(which=st.integers(0, 2), data=st.data())
        def fire_plausible_steps(self, which, data):
            """A few steps in a row that the state allows, each by someone of a role that may fire it: most of
            these go ahead, so cases get deep into the lifecycle."""
            for _ in range(data.draw(st.integers(1, 4))):
                state = self.model[list(self.model)[which]]["state"]
                trigger = data.draw(st.sampled_from(lifecycle.triggers_from(state)))
                step = lifecycle.STEPS[trigger]
                persona = data.draw(st.sampled_from([p for p in PERSONAS if role_of[p] in step.roles]))
                names = [f.name for f in step.fields]
                broken = names and data.draw(SELDOM)
                dropped = (
                    data.draw(st.frozensets(st.sampled_from(names), min_size=1)) if broken else frozenset()
                )
                if trigger == "close" and data.draw(st.booleans()):
                    self.record_visit(which, done=True, performed=True)
                self.attempt(
                    which,
                    trigger,
                    persona,
                    dropped,
                    data.draw(SELDOM),
                    data.draw(st.sampled_from(["XGPS", "XGFY"])),
                    data.draw(st.integers(-1, 30)),
                    data.draw(st.sampled_from(["", "wang", "zhao", "chen"])),
                )

        @rule(which=st.integers(0, 2), done=st.booleans(), performed=st.sampled_from([True, False, None]))
        def record_visit(self, which, done, performed):
            case_id = list(self.model)[which]
            self.touched = {case_id}
            case, today = db.session.get(Case, case_id), local_date(utcnow())
            if case.state == lifecycle.INITIAL_STATE or case.mediator is None:
                return  # nothing to follow up yet
            if case.is_open != (case.state == "following_up") or (
                not case.is_open and not followups.follow_up_owed(case)
            ):
                with pytest.raises(Conflict):  # still mediating, or closed with no visit owed
                    followups.record_visit(case.mediator, case, done_on=today, method="phone")
                db.session.rollback()
                return
            if done:
                followups.record_visit(
                    case.mediator,
                    case,
                    done_on=today,
                    method="phone",
                    performance={True: "fully", False: "not", None: None}[performed],
                )
            else:
                followups.plan_visit(case.mediator, case, scheduled_for=today + timedelta(days=2))
            db.session.commit()
            if done and performed:
                self.model[case_id]["performed_visit"] = True

        def attempt(self, which, trigger, persona, dropped, stale, agency, deadline_in, pick):
            case_id = list(self.model)[which]
            self.touched = {case_id}
            model = self.model[case_id]
            data = step_data(trigger)
            if trigger == "refer":
                data["agency"] = agency
            if trigger == "reach_agreement":
                data["performance_deadline"] = (
                    local_date(utcnow()) + timedelta(days=deadline_in)
                ).isoformat()
            if trigger in ("accept", "reassign"):
                data.update(mediator=pick, reason="A party asked for another mediator")
            data = {k: v for k, v in data.items() if k not in dropped}
            if not data.get("mediator") and trigger == "reassign":
                dropped = dropped | {"mediator"}
            expected = self.expected(model, trigger, persona, data, dropped, stale)

            case = db.session.get(Case, case_id)
            before = snapshot(case_id)
            version = case.version - 1 if stale else case.version
            try:
                apply_step(case, trigger, people[persona], version=version, **data)
            except Refused as error:
                tally(f"{trigger}: {error.code}")
                assert error.code == expected, (
                    f"{trigger} by {persona}: refused {error.code}, expected {expected}"
                )
                assert snapshot(case_id) == before, f"refused {trigger} changed the case before refusing"
                db.session.rollback()
                assert snapshot(case_id) == before, f"refused {trigger} left a change behind"
            else:
                tally(f"{trigger}: fired from {model['state']}")
                assert expected is None, f"{trigger} by {persona} fired; expected {expected}"
                db.session.commit()
                self.advance(model, trigger, data)

        # --- Invariants -------------------------------------------------------------------------------------

        @invariant()
        def the_database_agrees_with_the_events_and_the_declaration(self):
            # Every rule ends in a commit or a rollback, so what is read here comes from the database.
            for case_id in self.touched:
                model = self.model[case_id]
                case = db.session.get(Case, case_id)
                events = list(
                    db.session.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.id))
                )
                intake, *rest = events
                assert (intake.kind, intake.to_state) == ("intake", lifecycle.INITIAL_STATE)
                state, last_step = intake.to_state, None
                versions = [intake.case_version]
                due = replay_deadlines(set(), intake)
                for change in rest:
                    if change.kind != "transition":  # a follow-up visit: no state, maybe a deadline met
                        due = replay_deadlines(due, change)
                        versions.append(change.case_version)
                        continue
                    assert change.from_state == state, f"{case.number}: {change} does not follow {state}"
                    assert lifecycle.fire(state, change.action) == change.to_state
                    state, last_step = change.to_state, lifecycle.STEPS[change.action]
                    versions.append(change.case_version)
                    due = replay_deadlines(due, change)
                assert case.state == state == model["state"]
                assert versions == sorted(set(versions)), f"{case.number}: event versions {versions}"
                assert versions[-1] == case.version
                if case.state == "closed":
                    assert case.outcome is not None and case.outcome == last_step.outcome
                    assert case.closed_at is not None
                else:
                    assert case.outcome is None and case.closed_at is None
                open_rows = [d for d in case.deadlines if d.is_open]
                assert {d.kind for d in open_rows} == due, f"{case.number}: deadlines differ from the replay"
                assert all(case.state in d.rule.states for d in open_rows)
                dues = [d.due_at for d in open_rows if not d.rule.lapses]
                assert case.next_due_at == (min(dues) if dues else None)
                assert case.extended == model["extended"]
                active = case.active_referral
                assert (active.agency.code if active else None) == model["agency"]

    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.filter_too_much,
                HealthCheck.data_too_large,
            ],
        ),
    )
