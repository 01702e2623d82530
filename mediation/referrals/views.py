"""The liaison's side of the linkage (警调对接 / 诉调对接): sending a dispute to a station. Their inbox is the
home page (``cases.home`` for a liaison, ``services.inbox``); a referral's page is the case page."""

from flask import Blueprint, abort, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mediation import linkage, policy
from mediation.cases.forms import chosen_station, intake_defaults
from mediation.referrals.forms import DisputeForm
from mediation.services.attachments import add_attachment, human_size
from mediation.services.inbound import send_dispute
from mediation.templating import listing
from mediation.web import show_refusal, submit

bp = Blueprint("referrals", __name__)


@bp.route("/disputes/new", methods=["GET", "POST"])
@login_required
def send():
    """Send a dispute to a station the liaison's agency serves; then to its case page."""
    stations = policy.dispute_stations(current_user)
    if not stations:
        abort(403)
    kinds = linkage.kinds(linkage.IN, current_user.agency.kind)
    form = DisputeForm(data=intake_defaults(), stations=stations, kinds=kinds)
    parties, positions = form.party_inputs()

    def send_it():
        station = chosen_station(stations, form.station.data)
        case = send_dispute(
            current_user,
            station,
            form.kind.data or "",
            form.case_input(),
            parties,
            agency_case_number=form.agency_case_number.data or "",
            reason=form.reason.data or "",
        )
        for upload in form.uploads():
            add_attachment(case, current_user, filename=upload.filename, stream=upload.stream)
        return case

    if not form.is_submitted():
        return _page(form)
    return submit(
        form,
        send_it,
        then=lambda case: (
            url_for("case_page.show", number=case.number),
            _(
                "Sent the dispute to %(station)s as case %(number)s.",
                station=case.station.name,
                number=case.number,
            ),
        ),
        again=lambda status, error: _page(form, status),
        show=lambda form, error: show_refusal(form, form.place_party_errors(error, positions)),
    )


def _page(form, status=200):
    config = current_app.config
    body = render_template(
        "referrals/send.html",
        form=form,
        extensions=listing(f".{e}" for e in config["ATTACHMENT_EXTENSIONS"]),
        max_upload=human_size(int(config["ATTACHMENT_MAX_BYTES"])),
    )
    return body, status
