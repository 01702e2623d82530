"""What every template can use: lifecycle labels, vocabularies, masking and locale-aware formats."""

from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import quote

from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.numbers import format_decimal as babel_decimal
from flask import g, url_for
from flask_babel import format_decimal, get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from mediation import charts, lifecycle, policy, taxonomy
from mediation.clock import LOCAL_ZONE, utcnow
from mediation.i18n import translated
from mediation.services import deadlines, notifications

#: The lifecycle's states by name, as a vocabulary (``i18n.translated``).
STATE_LABELS = {name: s.label for name, s in lifecycle.STATES.items()}


def state_badge(state: str) -> Markup:
    s = lifecycle.STATES[state]
    label = translated(STATE_LABELS)[state]
    return Markup(f'<span class="badge text-bg-{s.badge}" data-state="{s.name}">{escape(label)}</span>')


def risk_badge(level: str) -> Markup:
    colour = taxonomy.RISK_BADGES[level]
    label = translated(taxonomy.RISK_LEVELS)[level]
    return Markup(f'<span class="badge text-bg-{colour}">{escape(label)}</span>')


def supervision_badge(urgency: str | None) -> Markup:
    """A case under supervision (督办), as every list marks it; nothing for one that is not."""
    if urgency not in taxonomy.SUPERVISION_URGENCIES:
        return Markup("")
    colour = taxonomy.SUPERVISION_BADGES[urgency]
    label = gettext("Under supervision: %(urgency)s", urgency=taxonomy.SUPERVISION_URGENCIES[urgency])
    return Markup(f'<span class="badge text-bg-{colour}" data-supervised="{urgency}">{escape(label)}</span>')


#: A deadline's status (``services.deadlines.status``) as every page shows it: red overdue, yellow due soon.
DUE_LABELS = {"overdue": _l("Overdue"), "due_soon": _l("Due soon"), "lapsed": _l("Passed")}
_DUE_COLOURS = {"overdue": "text-bg-danger", "due_soon": "text-bg-warning", "lapsed": "text-bg-light border"}


def due_badge(status: str | None) -> Markup:
    """The status's badge; nothing for a deadline that is neither overdue, due soon nor passed."""
    if status not in _DUE_COLOURS:
        return Markup("")
    label = translated(DUE_LABELS)[status]
    return Markup(f'<span class="badge {_DUE_COLOURS[status]}" data-due="{status}">{escape(label)}</span>')


def case_url(number: str) -> str:
    """The case page's address, as ``url_for`` writes it: built once a request and reused for every row
    of a list, the number quoted per row as werkzeug quotes a path segment."""
    prefix = g.get("case_url_prefix")
    if prefix is None:
        prefix = g.case_url_prefix = url_for("case_page.show", number="-").removesuffix("-")
    return prefix + quote(number, safe="!$&'()*+,/:;=@")


def listing(items) -> str:
    """Items joined as the reader's language lists them (A, B and C / A、B和C)."""
    items = [str(item) for item in items]
    return format_list(items, locale=get_locale()) if items else ""


_NAMED_FORMATS = ("short", "medium", "long", "full")


def format_day(value, fmt: str = "yMMMd") -> str:
    """A date as the reader's language writes it (Dec 8, 2026 / 2026年12月8日); a datetime's local day.

    ``fmt`` is a named format or a CLDR skeleton ("MMMd", "E"), which each language orders its own way.
    """
    if not value:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_ZONE).date()
    return _day(value, fmt, get_locale())


@lru_cache(maxsize=8192)
def _day(day, fmt: str, locale) -> str:
    # A list writes a day per row (when each case is due), mostly the same few hundred days: Babel's
    # formatting of each costs more than the rest of the row.
    if fmt in _NAMED_FORMATS:
        return format_date(day, fmt, locale=locale)
    return format_skeleton(fmt, day, locale=locale)


def format_moment(value) -> str:
    """A moment as the reader's language writes the day, with the 24-hour local time: Dec 8, 2026 16:18."""
    if not value:
        return ""
    return f"{format_day(value)} {format_skeleton('Hm', value, tzinfo=LOCAL_ZONE, locale=get_locale())}"


def deadline_text(due_at) -> str:
    """A deadline at local midnight is the end of the day before: "by Dec 24", not "Dec 25 00:00"."""
    if due_at is None:
        return ""
    local = due_at.astimezone(LOCAL_ZONE)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return format_day(local.date() - timedelta(days=1))
    return format_moment(due_at)


def time_left(due_at, now) -> str:
    """How long until ``due_at``, or how long past it: in hours within two days (a police answer is owed in
    24), else in whole days. "5 hours left", "3 days overdue"."""
    seconds = (due_at - now).total_seconds()
    hours = int(abs(seconds) // 3600)
    if seconds >= 0:
        if hours < 1:
            return gettext("less than an hour left")
        if hours < 48:
            return ngettext("%(num)d hour left", "%(num)d hours left", hours)
        return ngettext("%(num)d day left", "%(num)d days left", hours // 24)
    if hours < 1:
        return gettext("less than an hour overdue")
    if hours < 48:
        return ngettext("%(num)d hour overdue", "%(num)d hours overdue", hours)
    return ngettext("%(num)d day overdue", "%(num)d days overdue", hours // 24)


def due_status(case, now) -> str | None:
    """The most urgent status among the case's open deadlines (``services.deadlines.status``)."""
    return deadlines.worst(deadlines.open_deadlines(case), now)


def money(amount) -> str:
    return "" if amount is None else "¥" + format_decimal(amount, format="#,##0.00")


def number(value, decimals: int = 0) -> str:
    """A count or an average as the reader's language writes numbers (1,234; 8.5); "—" for none."""
    if value is None:
        return "—"
    if type(value) is int and -1000 < value < 1000:
        return str(value)  # as both our languages write it (no grouping; Western digits)
    return _number(value, decimals, str(get_locale()))


@lru_cache(maxsize=8192)
def _number(value, decimals: int, locale: str) -> str:
    # A breakdown writes thousands of small counts: Babel's formatting is the page's costliest call.
    return babel_decimal(value, format="#,##0" + ("." + "#" * decimals if decimals else ""), locale=locale)


def init_app(app) -> None:
    app.jinja_env.globals.update(
        STATES=lifecycle.STATES,
        INITIAL_STATE=lifecycle.INITIAL_STATE,
        STEPS=lifecycle.STEPS,
        taxonomy=taxonomy,
        labels=translated,
        policy=policy,
        state_badge=state_badge,
        risk_badge=risk_badge,
        supervision_badge=supervision_badge,
        due_badge=due_badge,
        case_url=case_url,
        now=utcnow,
        get_locale=get_locale,
        due_status=due_status,
        deadline_status=deadlines.status,
        time_left=time_left,
        unread_notifications=notifications.unread_count,
        number=number,
        percent=charts.percent,
    )
    app.jinja_env.filters.update(
        date=format_day,
        datetime=format_moment,
        money=money,
        number=number,
        mask_phone=policy.mask_phone,
        mask_id=policy.mask_id_number,
        sex=taxonomy.sex_label,
        listing=listing,
        deadline=deadline_text,
    )
