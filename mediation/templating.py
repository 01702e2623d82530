"""What every template can use: lifecycle labels, vocabularies, masking and locale-aware formats."""

from datetime import timedelta

from babel.lists import format_list
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from markupsafe import Markup, escape

from mediation import lifecycle, policy, taxonomy
from mediation.clock import LOCAL_ZONE, utcnow
from mediation.services.parties import mask_id_number, mask_phone


def state_badge(state: str) -> Markup:
    s = lifecycle.STATES[state]
    return Markup(f'<span class="badge text-bg-{s.badge}" data-state="{s.name}">{escape(s.label)}</span>')


def risk_badge(level: str) -> Markup:
    colour = taxonomy.RISK_BADGES[level]
    return Markup(f'<span class="badge text-bg-{colour}">{escape(taxonomy.RISK_LEVELS[level])}</span>')


def listing(items) -> str:
    """Items joined as the reader's language lists them (A, B and C / A、B和C)."""
    items = [str(item) for item in items]
    return format_list(items, locale=get_locale()) if items else ""


#: Dates and times the same unambiguous way in both languages (an English "short" date would be m/d/yy).
DATE, DATETIME = "yyyy-MM-dd", "yyyy-MM-dd HH:mm"


def deadline_text(due_at) -> str:
    """A deadline at local midnight is the end of the day before: "by 2026-12-24", not "…-25 00:00"."""
    if due_at is None:
        return ""
    local = due_at.astimezone(LOCAL_ZONE)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return format_date(local.date() - timedelta(days=1), DATE)
    return format_datetime(due_at, DATETIME)


def money(amount) -> str:
    return "" if amount is None else "¥" + format_decimal(amount, format="#,##0.00")


def init_app(app) -> None:
    app.jinja_env.globals.update(
        STATES=lifecycle.STATES,
        STEPS=lifecycle.STEPS,
        taxonomy=taxonomy,
        policy=policy,
        state_badge=state_badge,
        risk_badge=risk_badge,
        now=utcnow,
        get_locale=get_locale,
    )
    app.jinja_env.filters.update(
        date=format_date,
        datetime=lambda value, fmt="medium": format_datetime(value, fmt) if value else "",
        money=money,
        mask_phone=mask_phone,
        mask_id=mask_id_number,
        sex=taxonomy.sex_label,
        listing=listing,
        deadline=deadline_text,
    )
