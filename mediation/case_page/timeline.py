"""What the case page shows about a case's history and deadlines, in words people read.

Events store codes (triggers, agency codes, usernames, ISO dates); this module turns them into translated
labels, names and local dates. No database writes.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, select, union_all

from mediation import lifecycle, policy, taxonomy
from mediation.clock import local_date
from mediation.extensions import db
from mediation.i18n import translated
from mediation.models import Agency, Case, Event, User
from mediation.services import deadlines
from mediation.services.attachments import human_size
from mediation.services.parties import field_policy
from mediation.templating import deadline_text, format_day, format_moment, listing, money

#: Dates and times on the case page: the same in Chinese and English, in local time, without seconds.


KIND_LABELS = {
    "intake": _l("Registration"),
    "transition": _l("Step"),
    "update": _l("Change"),
    "session": _l("Mediation session"),
    "agreement": _l("Agreement"),
    "attachment": _l("Attachment"),
    "assignment": _l("Assignment"),
    "party": _l("Party"),
    "visit": _l("Follow-up visit"),
    "referral": _l("Referral"),
    "judicial": _l("Judicial confirmation"),
    "supervision": _l("Supervision"),
}

#: Actions other than lifecycle steps (whose label is the step's own).
ACTION_LABELS = {
    "register": _l("Registered the dispute"),
    "record_session": _l("Recorded a mediation session"),
    "update_agreement": _l("Completed the agreement's details"),
    "upload_attachment": _l("Attached a file"),
    "plan_visit": _l("Planned a follow-up visit"),
    "record_visit": _l("Recorded a follow-up visit"),
    "move_visit": _l("Moved a planned follow-up visit"),
    "cancel_visit": _l("Cancelled a planned follow-up visit"),
    "link_visit": _l("Registered from the visit log"),
    "update_party": _l("Corrected a party's particulars"),
    "update_case": _l("Corrected the case details"),
    "start_supervision": _l("Put the case under supervision (督办)"),
    "answer_supervision": _l("Answered the supervision"),
    "end_supervision": _l("Ended the supervision"),
}

#: Labels for data keys that are not a step's declared field.
DATA_LABELS = {
    "number": _l("Case number"),
    "mediator": _l("Mediator"),
    "parties": _l("Parties"),
    "held_at": _l("When it was held"),
    "place": _l("Place"),
    "attendees": _l("Who attended"),
    "notes": _l("What was said"),
    "result": _l("Result"),
    "rights_notified_at": _l("Parties told their rights and duties"),
    "filename": _l("File"),
    "description": _l("Description"),
    "size": _l("Size"),
    "oral": _l("Form of the agreement"),
    "facts_and_responsibility": _l("Facts, points in dispute and responsibility"),
    "performance_method": _l("Manner of performance"),
    "performance_place": _l("Place of performance"),
    "performance_deadline": _l("Performance deadline"),
    "jc_applied_on": _l("Applied for judicial confirmation on"),
    "jc_court": _l("Court"),
    "jc_court_case_number": _l("Court case number"),
    "jc_accepted_on": _l("Accepted on"),
    "jc_decision": _l("Court's decision"),
    "jc_decided_on": _l("Decided on"),
    "reason": _l("Reason"),
    "note": _l("Note"),
    "phone": _l("Phone"),
    "id_number": _l("ID number"),
    "title": _l("Title"),
    "facts": _l("Facts"),
    "category": _l("Category"),
    "channel": _l("Channel"),
    "risk_level": _l("Risk of escalation"),
    "amount": _l("Amount in dispute"),
    "agency": _l("Agency"),
    "agency_case_number": _l("The agency's case number"),
    "scheduled_for": _l("Planned for"),
    "done_on": _l("Visited on"),
    "method": _l("How"),
    "party_reached": _l("Who was reached"),
    "agreement_performed": _l("Agreement performed"),
    "performance": _l("Performance of the agreement"),
    "purpose": _l("Why the visit"),
    "lawsuit_filed": _l("A lawsuit was filed"),
    "lawsuit_result": _l("Result of the lawsuit"),
    "measures": _l("Measures taken"),
    "planned_visits": _l("Follow-up visits planned"),
    "moved_from": _l("Was planned for"),
    "satisfaction": _l("Satisfaction (1–5)"),
    "renewed_conflict": _l("Signs of the dispute flaring up"),
    "visitor": _l("Visitor"),
    "visited_at": _l("Came in"),
    "urgency": _l("Urgency"),
    "due_on": _l("Answer by"),
    "request": _l("What the supervisor asks"),
    "text": _l("Progress"),
    "conclusion": _l("Conclusion"),
    "supervision_ended": _l("Supervision ended with the case"),
}

#: Keys whose values are dates or moments (a step's own date fields are known by their kind); anything
#: else typed is shown as typed, even when it looks like a date.
MOMENT_KEYS = frozenset(
    {
        "held_at", "rights_notified_at", "performance_deadline", "jc_applied_on", "jc_accepted_on",
        "jc_decided_on", "scheduled_for", "done_on", "visited_at", "birth_date", "moved_from", "due_on",
    }
)  # fmt: skip

#: Bookkeeping keys the trail keeps for machines, not for readers.
HIDDEN_KEYS = frozenset({"session_id", "agreement_id", "attachment_id", "sha256", "visit_id"})

#: Keys whose values are codes of a vocabulary.
VALUE_VOCABULARIES = {
    "category": taxonomy.CATEGORIES,
    "channel": taxonomy.CHANNELS,
    "risk_level": taxonomy.RISK_LEVELS,
    "method": taxonomy.VISIT_METHODS,
    "performance": taxonomy.PERFORMANCE,
    "urgency": taxonomy.SUPERVISION_URGENCIES,
    "supervision_ended": taxonomy.SUPERVISION_URGENCIES,
}


#: A party's particulars, as a correction (``update_party``) lists them.
@dataclass
class Item:
    label: str
    value: str
    long: bool = False


@dataclass
class Entry:
    event: Event
    title: str
    actor: str
    #: ``(from, to)`` states for a transition that moved the case; ``None`` otherwise.
    moved: tuple[str, str] | None
    items: list[Item] = field(default_factory=list)


#: The lifecycle's words the trail names, as vocabularies (``i18n.translated``: once per language).
STEP_LABELS = {trigger: step.label for trigger, step in lifecycle.STEPS.items()}
FIELD_LABELS = {(step.trigger, f.name): f.label for step in lifecycle.STEPS.values() for f in step.fields}
JUDICIAL_LABELS = {name: action.label for name, action in lifecycle.JUDICIAL.items()}
RULE_LABELS = {kind: rule.label for kind, rule in lifecycle.DEADLINES.items()}


def timeline(case: Case, view: policy.PersonalData) -> list[Entry]:
    """Every event of ``case``, newest first, described for the page; personal values as ``view`` (the
    reader's ``policy.personal_data`` for the timeline) shows them."""
    events = db.session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id.desc())).all()
    names = _Names(events)
    return [_entry(event, names, view) for event in events]


def _entry(event: Event, names, view: policy.PersonalData) -> Entry:
    step = lifecycle.STEPS.get(event.action) if event.kind == "transition" else None
    if step is not None:
        title = translated(STEP_LABELS)[step.trigger]
    elif event.action in ACTION_LABELS:
        title = translated(ACTION_LABELS)[event.action]
    elif event.kind == "judicial" and event.action in lifecycle.JUDICIAL:
        title = translated(JUDICIAL_LABELS)[event.action]
    else:
        kind = translated(KIND_LABELS).get(event.kind, event.kind)
        title = _("%(kind)s: %(action)s", kind=kind, action=event.action)
    moved = None
    if event.kind == "transition" and event.from_state and event.from_state != event.to_state:
        moved = (event.from_state, event.to_state)
    actor = event.actor.name if event.actor else _("the system")
    data = event.data or {}
    if event.kind == "party":
        return Entry(event=event, title=title, actor=actor, moved=None, items=_correction(data, view))
    if event.kind == "update":
        return Entry(event, title, actor, moved, _corrections(data, names, view))
    specs = {spec.name: spec for spec in step.fields} if step else {}
    items = []
    for key, value in data.items():
        if key in HIDDEN_KEYS or key == "previous_mediator" or value in (None, "", [], {}):
            continue
        if key == "deadlines" and isinstance(value, dict):
            items += _deadline_items(value)
            continue
        if key == "mediator" and "previous_mediator" in data:
            # A step that changed who mediates: "Mediator: 张伟 → 王芳".
            change = _change(key, data["previous_mediator"], value, names, view)
            items.append(Item(translated(DATA_LABELS)["mediator"], change))
            continue
        spec = specs.get(key)
        if spec is not None:
            label = translated(FIELD_LABELS)[(step.trigger, key)]
        else:
            label = translated(DATA_LABELS).get(key, key.replace("_", " ").capitalize())
        text = _value(key, value, spec, names, view)
        items.append(Item(label, text, long="\n" in text or len(text) > 80))
    return Entry(event=event, title=title, actor=actor, moved=moved, items=items)


def _correction(data: dict, view: policy.PersonalData) -> list[Item]:
    """A correction of a party's particulars: whose, then each particular as "before → after"."""
    role = taxonomy.PARTY_ROLES.get(data.get("role"), data.get("role", ""))
    items = [Item(str(_l("Party")), _("%(role)s: %(name)s", role=role, name=data.get("name", "")))]
    old, new = data.get("old") or {}, data.get("new") or {}
    for key in dict.fromkeys([*old, *new]):
        before, after = _particular(key, old.get(key), view), _particular(key, new.get(key), view)
        items.append(
            Item(str(taxonomy.PARTICULARS.get(key, key)), _("%(old)s → %(new)s", old=before, new=after))
        )
    return items


def _particular(key: str, value, view: policy.PersonalData) -> str:
    """One particular's value as the reader may see it: ``—`` when empty, ``***`` when they may not."""
    if value in (None, ""):
        return "—"
    if key == "kind":
        return str(taxonomy.PARTY_KINDS.get(value, value))
    if key == "birth_date":
        value = date.fromisoformat(value) if isinstance(value, str) else value
        shown = view.show("birth_date", value)
        return format_day(shown) if isinstance(shown, date) else shown or "***"
    shown = view.show(field_policy(key) or "particulars", value)
    if key == "sex" and view.full("particulars"):
        return taxonomy.sex_label(shown)
    return str(shown) if shown else "***"


def _corrections(data: dict, names, view: policy.PersonalData) -> list[Item]:
    """A correction of the case's details (``update_case``): each detail as "Title: A → B"."""
    old, new = data.get("old") or {}, data.get("new") or {}
    items = []
    for key in dict.fromkeys([*old, *new]):
        text = _change(key, old.get(key), new.get(key), names, view)
        items.append(Item(translated(DATA_LABELS).get(key, key), text, long="\n" in text or len(text) > 80))
    return items


def _change(key, before, after, names, view: policy.PersonalData) -> str:
    """A value's change as "before → after", each as ``_value`` writes it, an empty one as "—"."""
    old, new = ("—" if v in (None, "") else _value(key, v, None, names, view) for v in (before, after))
    return _("%(old)s → %(new)s", old=old, new=new)


def _value(key, value, spec, names, view: policy.PersonalData) -> str:
    kind = spec.kind if spec else None
    if key in policy.LOGGED_FIELDS:
        return view.show(key, str(value)) or "***"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if kind == "choice":
        return translated(spec.choices).get(value, str(value))
    if key == "reason" and value in taxonomy.DECLINE_REASONS:
        return translated(taxonomy.DECLINE_REASONS)[value]
    if kind == "agency" or key in ("agency", "jc_court"):
        return names.agency(value)
    if kind == "mediator" or key == "mediator":
        return names.user(value)
    if key == "jc_decision":
        return translated(taxonomy.JC_DECISIONS).get(value, str(value))
    if key == "amount" and isinstance(value, str):
        try:
            return money(Decimal(value))
        except InvalidOperation:
            return value
    if key == "size" and isinstance(value, int):
        return human_size(value)
    if key == "parties" and isinstance(value, list):
        # Role-labelled entries read better as separate clauses than as "A and B".
        return _("; ").join(_party(p) for p in value)
    vocabulary = VALUE_VOCABULARIES.get(key)
    if vocabulary is not None:
        return translated(vocabulary).get(value, str(value))
    if key == "planned_visits" and isinstance(value, list):
        return listing([_when(day) for day in value])
    if isinstance(value, str) and (kind == "date" or key in MOMENT_KEYS):
        return _when(value)
    if isinstance(value, list):
        return listing(value)
    return str(value)


DEADLINE_GROUPS = {
    "opened": _l("Deadline set"),
    "met": _l("Deadline met"),
    "cancelled": _l("Deadline no longer applies"),
}


def _deadline_items(changes: dict) -> list[Item]:
    """What a step did to the deadlines: each one set (with when it falls due), met or cancelled."""
    items = []
    for group, label in translated(DEADLINE_GROUPS).items():
        for entry in changes.get(group) or []:
            kind = entry.get("kind") if isinstance(entry, dict) else entry
            text = translated(RULE_LABELS).get(kind, str(kind))
            if isinstance(entry, dict) and entry.get("due_at"):
                text = _("%(what)s, by %(when)s", what=text, when=_due(entry["due_at"]))
            items.append(Item(label, text))
    return items


def _due(text: str) -> str:
    try:
        return deadline_text(datetime.fromisoformat(text))
    except ValueError:
        return text


def _party(text) -> str:
    role, _sep, name = str(text).partition(":")
    if role in taxonomy.PARTY_ROLES and name:
        return _("%(role)s: %(name)s", role=taxonomy.PARTY_ROLES[role], name=name)
    return str(text)


def _when(text: str) -> str:
    """An ISO date or datetime as the reader's locale writes it (datetimes in local time); else the text."""
    if 10 <= len(text) <= 32 and text[:4].isdigit() and text[4:5] == "-":
        try:
            if len(text) == 10:
                return format_day(date.fromisoformat(text))
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is not None:
                return format_moment(moment)
        except (ValueError, OverflowError):  # free text that only looks like a moment (year 1, 9999)
            pass
    return text


class _Names:
    """Display names for the usernames and agency codes the events mention: those the request has loaded
    already (the case's mediator, its referrals' agencies, the reader), the others in one query."""

    def __init__(self, events):
        usernames, codes = set(), set()
        for event in events:
            data = event.data or {}
            for key in ("mediator", "previous_mediator"):
                if isinstance(data.get(key), str):
                    usernames.add(data[key])
            for key in ("agency", "jc_court"):
                if isinstance(data.get(key), str):
                    codes.add(data[key])
        self._users, self._agencies = {}, {}
        for loaded in db.session.identity_map.values():
            held = vars(loaded)  # what is loaded, never a refresh of an expired object
            if isinstance(loaded, User) and held.get("username") in usernames and "display_name" in held:
                self._users[loaded.username] = loaded.name
            elif isinstance(loaded, Agency) and held.get("code") in codes and "name" in held:
                self._agencies[loaded.code] = loaded.name
        users, agencies = usernames - self._users.keys(), codes - self._agencies.keys()
        if users or agencies:
            name = func.coalesce(func.nullif(User.display_name, ""), User.username)
            query = union_all(
                select(literal("user"), User.username, name).where(User.username.in_(users)),
                select(literal("agency"), Agency.code, Agency.name).where(Agency.code.in_(agencies)),
            )
            for kind, key, shown in db.session.execute(query):
                (self._users if kind == "user" else self._agencies)[key] = shown

    def user(self, username) -> str:
        return self._users.get(username, str(username))

    def agency(self, code) -> str:
        return self._agencies.get(code, str(code))


# --- Deadlines --------------------------------------------------------------------------------------------


@dataclass
class Due:
    """An open deadline as the case page shows it."""

    label: str
    due_at: datetime
    #: ``services.deadlines.status``: overdue, due soon, on time (or lapsed, for an optional window).
    status: str
    #: Whole days late (counted in local days), 0 when not overdue.
    days_late: int
    #: Counted Monday–Friday through a year the holiday calendar does not know.
    calendar_unknown: bool

    @property
    def when(self) -> str:
        return deadline_text(self.due_at)


def due_list(case: Case, now: datetime) -> list[Due]:
    """What is due on ``case``, soonest first: its open deadlines, without a window already passed."""
    out = []
    for row in deadlines.open_deadlines(case):
        status = deadlines.status(row, now)
        if status == deadlines.LAPSED:
            continue
        late = _days_late(row.due_at, now) if status == deadlines.OVERDUE else 0
        out.append(Due(str(row.rule.label), row.due_at, status, late, not row.calendar_known))
    return out


def _days_late(due: datetime, now: datetime) -> int:
    """Local days since the deadline's last day (a deadline at local midnight ends the day before)."""
    return max(1, (local_date(now) - local_date(due - timedelta(microseconds=1))).days)
