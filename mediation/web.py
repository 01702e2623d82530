"""Small helpers the blueprints share: loading a case the user may see, and showing a refusal on a form."""

from flask import abort
from sqlalchemy import select

from mediation import policy
from mediation.errors import Refused
from mediation.extensions import db
from mediation.models import Case


def load_case(number: str, actor) -> Case:
    """The case numbered ``number`` if ``actor`` may see it; 404 otherwise, so numbers leak nothing."""
    case = db.session.scalar(select(Case).filter_by(number=number))
    if case is None or not policy.can_view_case(actor, case):
        abort(404)
    return case


def commit_or_show(form, action):
    """Run ``action`` (a service call) and commit once; on a refusal roll back and show it on ``form``.

    Returns ``(True, what action returned)``, or ``(False, None)`` when refused, for the view to re-render.
    """
    try:
        result = action()
    except Refused as error:
        db.session.rollback()
        show_refusal(form, error)
        return False, None
    db.session.commit()
    return True, result


def show_refusal(form, error: Refused, prefix: str = "") -> None:
    """Put a service's field errors on the matching form fields; the rest becomes the form's own error."""
    unplaced = []
    for name, message in error.fields.items():
        field = form._fields.get(prefix + name) if form is not None else None
        if field is not None:
            field.errors = [*field.errors, str(message)] if isinstance(field.errors, list) else [str(message)]
        else:
            unplaced.append(str(message))
    if form is not None:
        form.form_errors = [str(error.message), *unplaced]
