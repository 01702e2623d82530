"""The inbox (``/notifications``): newest first, unread marked; opening one marks it read and leads to what it
is about. Only the user's own notifications exist for them (404 for anyone else's)."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mediation.ids import parse_id
from mediation.notifications.forms import MarkAllReadForm
from mediation.notifications.messages import link, message
from mediation.services import notifications
from mediation.services.search import parse_page
from mediation.web import commit, submit

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def inbox():
    return _inbox_page(MarkAllReadForm(data={"up_to": notifications.newest_id(current_user)}))


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    form = MarkAllReadForm()
    return submit(
        form,
        lambda: notifications.mark_all_read(current_user, parse_id(form.up_to.data)),
        then=lambda _count: (url_for(".inbox"), _("Your notifications are marked read.")),
        again=lambda status, error: (_inbox_page(form), status),
    )


@bp.get("/notifications/<id:notification_id>", endpoint="open")
@login_required
def open_notification(notification_id: int):
    notification = notifications.own(current_user, notification_id)  # 404 for anyone else's
    commit(lambda: notifications.mark_read(current_user, notification))
    return redirect(link(notification))


def _inbox_page(form):
    page = notifications.inbox(current_user, parse_page(request.args.get("page")))
    items = [(notification, message(notification)) for notification in page.items]
    unread = notifications.unread_count(current_user)
    return render_template("notifications/inbox.html", page=page, items=items, form=form, unread=unread)
