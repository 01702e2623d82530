"""The signed-in user's home: the cases waiting on them."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from mediation import policy
from mediation.extensions import db
from mediation.models import Case

bp = Blueprint("cases", __name__)


@bp.get("/")
@login_required
def home():
    query = select(Case).where(policy.visible_cases_clause(current_user), Case.state != "closed")
    if current_user.role == "mediator":
        query = query.where(Case.mediator_id == current_user.id)
    cases = db.session.scalars(query.order_by(Case.due_at.asc().nulls_last(), Case.id).limit(100)).all()
    return render_template("cases/home.html", cases=cases)
