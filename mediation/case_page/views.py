"""The case page: everything about one case, the steps the user may take on it, and what they record there
(sessions, the agreement's details, attachments).

Every view has three beats: load the case (``load_case``: 404 when the user may not see it) → call a
service through the request boundary (``web.submit``: commit once and redirect; on a refusal roll back and
show the page again with the user's input and the refusal's status).
"""

from types import SimpleNamespace

from flask import Blueprint, abort, current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import RequestEntityTooLarge

from mediation import lifecycle, policy, taxonomy
from mediation.case_page.forms import (
    JUDICIAL_FORMS,
    AgreementForm,
    AttachmentForm,
    CancelVisitForm,
    DetailsForm,
    EndSupervisionForm,
    MoveVisitForm,
    PlanVisitForm,
    SessionForm,
    SuperviseForm,
    SupervisionAnswerForm,
    VisitForm,
    judicial_form,
    posted_version,
    shown_fields,
    step_form,
    step_values,
    visit_prefix,
)
from mediation.case_page.timeline import due_list, timeline
from mediation.clock import local_date, local_now_input, utcnow
from mediation.errors import Conflict
from mediation.extensions import db
from mediation.ids import parse_id
from mediation.models import Attachment, Case, CaseParty, FollowUpVisit, Referral, Supervision
from mediation.services import followups, settings, supervision
from mediation.services import judicial as judicial_service
from mediation.services.agreements import update_agreement
from mediation.services.attachments import INLINE_TYPES, add_attachment, human_size, path_for
from mediation.services.case_details import update_case
from mediation.services.inbox import item as referral_item
from mediation.services.inbox import mediation_period, own_referral
from mediation.services.parties import record_view
from mediation.services.sessions import record_session as record_session_service
from mediation.services.transitions import apply_step
from mediation.templating import listing
from mediation.web import commit, load_case, often_empty, submit

bp = Blueprint("case_page", __name__)


@bp.context_processor
def _helpers():
    return {
        "human_size": human_size,
        "upload_limits": _upload_limits,
    }


def _upload_limits() -> SimpleNamespace:
    """What the upload form says a file may be: its size and types."""
    return SimpleNamespace(
        size=human_size(int(_config("ATTACHMENT_MAX_BYTES"))),
        types=listing(f".{e}" for e in _config("ATTACHMENT_EXTENSIONS")),
    )


#: Everything the case page shows of a case, each collection in one query however long it is (the
#: relationships' own loading would fetch each visit's visitor, each referral's agency, one by one): the
#: parties, a few rows, joined in with the case itself; the deadlines, which every case has.
PAGE_LOADS = (
    joinedload(Case.party_links).joinedload(CaseParty.party),
    selectinload(Case.deadlines),
)
#: The collections it shows that a case often has none of: asked about in the case's own query.
PAGE_SPARSE = (
    often_empty(Case.referrals, joinedload(Referral.agency)),
    often_empty(Case.agreements),
    often_empty(Case.visits, joinedload(FollowUpVisit.visitor)),
    often_empty(Case.supervisions, joinedload(Supervision.answers)),
    often_empty(Case.sessions),
    often_empty(Case.attachments),
)


@bp.get("/cases/<number>")
@login_required
def show(number):
    return _page(load_case(number, current_user, *PAGE_LOADS, sparse=PAGE_SPARSE))


@bp.post("/cases/<number>/steps/<trigger>")
@login_required
def step(number, trigger):
    case = load_case(number, current_user)
    spec = lifecycle.STEPS.get(trigger)
    if spec is None:
        abort(404)
    # The form checks only the CSRF token: the service checks the data.
    form = step_form(spec, case, settings.permits())

    def fire():
        apply_step(case, trigger, current_user, version=posted_version(form), **step_values(spec, form))

    return _post(case, trigger, form, fire, _("Done: %(step)s.", step=spec.label))


@bp.get("/cases/<number>/panels/<key>")
@login_required
def panel(number, key):
    """The form of one panel of "What you can do" (``key``: a trigger, or ``jc-`` and a judicial-confirmation
    panel): fetched into the panel when it is opened (``?part=form``), else a page of its own (the panel's
    link). It carries the case ``version`` of the page it was opened from, so a case changed since is
    refused when sent (409)."""
    case = load_case(number, current_user)
    title = _panel_title(key)
    if title is None:
        abort(404)
    permits = settings.permits()
    seen = parse_id(request.args.get("version")) or case.version
    form, offered = _blank_panel_form(case, key, permits, min(seen, case.version))
    template = "case_page/panel_form.html" if request.args.get("part") == "form" else "case_page/panel.html"
    body = render_template(
        template,
        case=case,
        key=key,
        form=form,
        offered=offered,
        shown_fields=shown_fields,
        title=title,
    )
    # Not the reader's to take now (the case moved on since their page, or it was never theirs): say so.
    return body, 200 if form is not None else 409


#: The panels of the case page's own sections (beside the steps'): who may open each, its title, its form.
SECTION_PANELS = {
    "session": (policy.can_work_on_case, _l("Record a session")),
    "attachment": (policy.can_add_file, _l("Add a file")),
}


def _section_form(key):
    if key == "session":
        return SessionForm(formdata=None, data={"held_at": local_now_input().strftime("%Y-%m-%dT%H:%M")})
    return AttachmentForm(formdata=None)


def _panel_title(key):
    if key in SECTION_PANELS:
        return SECTION_PANELS[key][1]
    if key.startswith("jc-"):
        form_class = JUDICIAL_FORMS.get(key[3:])
        return form_class.title if form_class else None
    spec = lifecycle.STEPS.get(key)
    return spec.label if spec else None


def _blank_panel_form(case, key, permits, version):
    """The blank form of the reader's panel ``key`` on ``case`` now, with the waivers it offers; ``None``
    when the reader has no such panel (a step not theirs, or no longer possible)."""
    if key in SECTION_PANELS:
        if not SECTION_PANELS[key][0](current_user, case):
            return None, ()
        return _section_form(key), ()
    if key.startswith("jc-"):
        if policy.judicial_step(current_user, case) != key[3:]:
            return None, ()
        return judicial_form(key[3:], case, version=version), ()
    available = policy.step_availability(current_user, case, permits)
    spec = next((s for s, why in available if s.trigger == key and not why), None)
    if spec is None:
        return None, ()
    data = {"version": str(version)}
    if any(f.name == "agency_case_number" for f in spec.fields) and case.active_referral is not None:
        data["agency_case_number"] = case.active_referral.agency_case_number  # as recorded so far
    form = step_form(spec, case, permits, formdata=None, data=data)
    return form, lifecycle.waivers_offered(spec, case, permits)


#: What each judicial-confirmation panel records (its form: ``case_page.forms.JUDICIAL_FORMS``), and the
#: message once it is saved.
JUDICIAL = {
    "apply": (
        judicial_service.apply_for_confirmation,
        _l("The application for judicial confirmation is recorded."),
    ),
    "answer": (judicial_service.answer_application, _l("The court's answer is recorded.")),
    "decide": (judicial_service.decide_confirmation, _l("The court's decision is recorded.")),
}


@bp.post("/cases/<number>/confirmation/<panel>")
@login_required
def judicial(number, panel):
    """Judicial confirmation: the mediator records the parties' application, the court's liaison its
    answers (``policy.judicial_step`` says which panel the page shows; the service refuses the others)."""
    case = load_case(number, current_user)
    if panel not in JUDICIAL:
        abort(404)
    record, done = JUDICIAL[panel]
    form = judicial_form(panel, case, posted=True)

    def act():
        record(current_user, case, posted_version(form), **form.values())

    return _post(case, f"jc-{panel}", form, act, str(done), anchor="confirmation")


#: Supervision (督办): what each form records through ``services.supervision``, and the message once saved.
SUPERVISION = {
    "supervise": (
        SuperviseForm,
        supervision.start,
        _l("The case is under supervision; its mediator is told."),
    ),
    "supervision-answer": (
        SupervisionAnswerForm,
        supervision.answer,
        _l("Your answer is sent to the supervisor."),
    ),
    "end-supervision": (EndSupervisionForm, supervision.end, _l("The supervision is ended.")),
}


@bp.post("/cases/<number>/supervision/<panel>")
@login_required
def supervise(number, panel):
    """A supervisor starts or ends the case's supervision; the station's mediators answer it."""
    case = load_case(number, current_user)
    if panel not in SUPERVISION:
        abort(404)
    form_class, record, done = SUPERVISION[panel]
    form = form_class()

    def act():
        record(current_user, case, posted_version(form), **_data(form, "csrf_token", "submission", "version"))

    return _post(case, panel, form, act, str(done), anchor="supervision")


@bp.post("/cases/<number>/sessions")
@login_required
def record_session(number):
    case = load_case(number, current_user)
    form = SessionForm()

    def record():
        record_session_service(case, current_user, **_data(form, "csrf_token", "submission"))

    return _post(case, "session", form, record, _("The mediation session is recorded."), anchor="sessions")


@bp.post("/cases/<number>/visits")
@login_required
def record_visit(number):
    """A follow-up visit done (回访); one that found the agreement performed leads to closing the case, one
    that found it broken to reporting the breach."""
    case = load_case(number, current_user)
    form = VisitForm()
    planned = _visit(case, form.planned.data) if form.planned.data else None

    def record():
        return followups.record_visit(
            current_user, case, version=posted_version(form), planned=planned, **form.values()
        )

    def then(visit):
        if visit.performance == "fully" and policy.can_fire(current_user, case, "close"):
            message = _("The visit is recorded and found the agreement performed: you may close the case.")
            return url_for(".show", number=case.number, _anchor="step-close"), message
        if visit.performance in ("partly", "not") and policy.can_fire(current_user, case, "report_breach"):
            message = _(
                "The visit is recorded. If the agreement is broken, report the breach to mediate again."
            )
            return url_for(".show", number=case.number, _anchor="step-report_breach"), message
        return url_for(".show", number=case.number, _anchor="visits"), _("The follow-up visit is recorded.")

    return submit(
        form, record, then=then, again=lambda status, error: _again(case, "visit", form, status, error)
    )


@bp.post("/cases/<number>/visits/plan")
@login_required
def plan_visit(number):
    case = load_case(number, current_user)
    form = PlanVisitForm()

    def plan():
        followups.plan_visit(
            current_user,
            case,
            scheduled_for=form.scheduled_for.data,
            reason=form.reason.data or "",
            version=posted_version(form),
        )

    return _post(case, "plan-visit", form, plan, _("The follow-up visit is planned."), anchor="visits")


@bp.post("/cases/<number>/visits/<int:visit_id>/move")
@login_required
def move_visit(number, visit_id):
    case = load_case(number, current_user)
    visit = _visit(case, visit_id)
    form = MoveVisitForm(prefix=visit_prefix(visit, "move"))

    def move():
        followups.move_visit(
            current_user,
            case,
            visit,
            scheduled_for=form.scheduled_for.data,
            reason=form.reason.data or "",
            version=posted_version(form),
        )

    return _post(case, f"move-visit-{visit.id}", form, move, _("The visit is moved."), anchor="visits")


@bp.post("/cases/<number>/visits/<int:visit_id>/cancel")
@login_required
def cancel_visit(number, visit_id):
    case = load_case(number, current_user)
    visit = _visit(case, visit_id)
    form = CancelVisitForm(prefix=visit_prefix(visit, "cancel"))

    def cancel():
        followups.cancel_visit(
            current_user, case, visit, reason=form.reason.data or "", version=posted_version(form)
        )

    return _post(
        case, f"cancel-visit-{visit.id}", form, cancel, _("The visit is cancelled."), anchor="visits"
    )


def _visit(case, raw_id):
    """One of the case's visits by id; 404 for anything else (another case's, garbage)."""
    visit_id = parse_id(raw_id)
    visit = next((v for v in case.visits if v.id == visit_id), None) if visit_id else None
    if visit is None:
        abort(404)
    return visit


@bp.post("/cases/<number>/attachments")
@login_required
def upload_attachment(number):
    case = load_case(number, current_user)
    form = AttachmentForm()

    def attach():
        upload = form.file.data
        add_attachment(
            case,
            current_user,
            filename=upload.filename if upload else "",
            stream=upload.stream if upload else b"",
            description=form.description.data,
        )

    return _post(case, "attachment", form, attach, _("The file is attached."), anchor="attachments")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    """An upload over ``MAX_CONTENT_LENGTH``: say so on the case page, next to the upload form."""
    limit = human_size(int(request.max_content_length or 0))
    message = _("The upload is too large: files up to %(limit)s can be attached.", limit=limit)
    number = (request.view_args or {}).get("number")
    if request.endpoint != "case_page.upload_attachment" or not current_user.is_authenticated or not number:
        return render_template("errors/error.html", status=413, message=message), 413
    case = db.session.scalar(select(Case).filter_by(number=number))
    if case is None or not policy.can_view_case(current_user, case):
        return render_template("errors/error.html", status=413, message=message), 413
    form = AttachmentForm(formdata=None)
    form.file.errors = [message]
    return _page(case, open_panel="attachment", forms={"attachment": form}, status=413)


@bp.get("/cases/<number>/attachments/<id:attachment_id>")
@login_required
def attachment(number, attachment_id):
    case = load_case(number, current_user)
    item = db.session.get(Attachment, attachment_id)
    if item is None or item.case_id != case.id or not path_for(item.sha256).is_file():
        abort(404)
    response = send_file(
        path_for(item.sha256),
        mimetype=item.content_type,
        as_attachment=item.content_type not in INLINE_TYPES,
        download_name=item.filename,
        conditional=True,
    )
    # Evidence is personal data: no shared caches, and never sniffed into something executable.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/cases/<number>/agreement", methods=["GET", "POST"])
@login_required
def agreement(number):
    case = load_case(number, current_user)
    current = case.current_agreement
    if current is None:
        abort(404)
    if not policy.can_work_on_case(current_user, case):
        abort(403)
    posted = request.form if request.method == "POST" else None
    form = AgreementForm.for_agreement(current, case.version, formdata=posted)
    if posted is None:
        return _agreement_page(case, form)
    return submit(
        form,
        lambda: update_agreement(case, current_user, posted_version(form), **form.values()),
        then=lambda _result: (
            url_for(".show", number=case.number, _anchor="agreement"),
            _("The agreement is updated."),
        ),
        again=lambda status, error: _edit_again(
            case,
            form,
            status,
            error,
            _agreement_page,
            lambda: AgreementForm.for_agreement(current, case.version),
        ),
    )


@bp.route("/cases/<number>/details", methods=["GET", "POST"])
@login_required
def details(number):
    """Correct the case's own details (not its parties): the station's mediators, while it is open."""
    case = load_case(number, current_user)
    if not policy.can_work_on_case(current_user, case):
        abort(403)
    posted = request.form if request.method == "POST" else None
    form = DetailsForm.for_case(case, formdata=posted)
    if posted is None:
        return _details_page(case, form)
    return submit(
        form,
        lambda: update_case(current_user, case, posted_version(form), **form.values()),
        then=lambda changes: (
            url_for(".show", number=case.number, _anchor="details"),
            _("The case is corrected.") if changes else _("Nothing was changed."),
        ),
        again=lambda status, error: _edit_again(
            case, form, status, error, _details_page, lambda: DetailsForm.for_case(case)
        ),
    )


@bp.get("/cases/<number>/agreement/print")
@login_required
def print_agreement(number):
    case = load_case(number, current_user)
    current = case.current_agreement
    if current is None:
        abort(404)
    # The document carries the parties' ID numbers and addresses as the policy allows: each print is a
    # view of them (the phone is not on it).
    view = policy.personal_data(current_user, case, "agreement_print")
    commit(lambda: [record_view(current_user, p, view, among=("id_number", "address")) for p in case.parties])
    return render_template(
        "case_page/agreement_print.html",
        case=case,
        agreement=current,
        pd=view,
        copies=len(case.party_links) + 1,
        today=local_date(utcnow()),
    )


@bp.get("/cases/<number>/feedback/print")
@login_required
def print_feedback(number):
    """The letter reporting the station's result to the court that sent the dispute (调解情况反馈函), once the
    station sent it: for the station and the agency that sent the dispute."""
    case = load_case(number, current_user)
    referral = case.inbound_referral
    if referral is None or referral.feedback_at is None:
        abort(404)
    if not policy.can_read_feedback_letter(current_user, case):
        abort(403)
    view = policy.personal_data(current_user, case, "case_page")  # the letter names the parties, no more
    parties = listing(
        _("%(role)s %(name)s", role=taxonomy.PARTY_ROLES[link.role], name=view.show("name", link.party.name))
        for link in case.party_links
    )
    return render_template(
        "case_page/feedback_print.html",
        case=case,
        referral=referral,
        parties=parties,
        agreement=case.current_agreement if referral.feedback_outcome == "agreement" else None,
    )


@bp.get("/cases/<number>/visits/print")
@login_required
def print_visits(number):
    """The follow-up record (回访记录): the visits done, oldest first, or the one ``?visit=`` names; for the
    station's mediators and supervisors. It carries the parties' phones and addresses as the policy allows,
    so each print is a view of them."""
    case = load_case(number, current_user)
    done = sorted((v for v in case.visits if v.done_on is not None), key=lambda v: (v.done_on, v.id))
    if "visit" in request.args:
        done = [v for v in done if v.id == parse_id(request.args["visit"])]
    if not done:
        abort(404)
    if not policy.can_read_visit_record(current_user, case):
        abort(403)
    view = policy.personal_data(current_user, case, "visit_print")
    commit(lambda: [record_view(current_user, p, view, among=("phone", "address")) for p in case.parties])
    return render_template("case_page/visits_print.html", case=case, visits=done, pd=view)


# --- Rendering ---------------------------------------------------------------------------------------------


def _page(case, *, open_panel=None, forms=None, alert=None, gone=None, status=200):
    """The case page. Of the forms of "What you can do", and those recording a session or adding a file, it
    renders only those in ``forms`` (the one the user posted, shown open): the others come when their panel
    is opened (``panel``), for rendering every form up front was most of what the page cost."""
    forms = dict(forms or {})
    permits = settings.permits_for(lifecycle.STEPS[t] for t in lifecycle.triggers_from(case.state))
    steps = policy.step_availability(current_user, case, permits)
    judicial = policy.judicial_step(current_user, case)
    can_work = policy.can_work_on_case(current_user, case)
    visits = policy.can_follow_up(current_user, case) and followups.takes_visits(case)
    if visits:
        version = {"version": str(case.version)}
        today = {"done_on": local_date(utcnow()).isoformat()}
        forms.setdefault("visit", VisitForm(formdata=None, data=version | today))
        forms.setdefault("plan-visit", PlanVisitForm(formdata=None, data=version))
        for planned in followups.planned_visits(case):
            for action, form_class in (("move", MoveVisitForm), ("cancel", CancelVisitForm)):
                prefix = visit_prefix(planned, action)
                forms.setdefault(
                    f"{action}-visit-{planned.id}", form_class(formdata=None, data=version, prefix=prefix)
                )
    for panel, allowed in _supervision_panels(case).items():
        if allowed:
            forms.setdefault(panel, SUPERVISION[panel][0](formdata=None, data={"version": str(case.version)}))
    can_attach = policy.can_add_file(current_user, case)
    now = utcnow()
    body = render_template(
        "case_page/show.html",
        case=case,
        steps=steps,
        judicial=judicial,
        judicial_panel=JUDICIAL_FORMS.get(judicial),
        forms=forms,
        shown_fields=shown_fields,
        offered={
            spec.trigger: lifecycle.waivers_offered(spec, case, permits)
            for spec, _reason in steps
            if spec.trigger in forms
        },
        open_panel=open_panel,
        alert=alert,
        gone=gone,
        can_work=can_work,
        can_attach=can_attach,
        visits=visits,
        planned_visits=followups.planned_visits(case),
        linkage=_linkage(case, now),
        moment=now,
        pd=policy.personal_data(current_user, case, "case_page"),
        deadlines=due_list(case, now),
        entries=timeline(case, policy.personal_data(current_user, case, "timeline")),
    )
    return body, status


def _supervision_panels(case) -> dict[str, bool]:
    """Which supervision forms the reader has on this case."""
    under = case.supervision is not None
    return {
        "supervise": not under and policy.can_supervise(current_user, case),
        "supervision-answer": under and policy.can_answer_supervision(current_user, case),
        "end-supervision": under and policy.can_supervise(current_user, case),
    }


def _linkage(case, now) -> dict:
    """The referrals the page shows, each with the deadline it runs against: the reader's own agency's
    (first on the page, for a liaison), the one the case is with now (or was last), and the one it came in
    with; and, for
    a dispute a court sent, the period the court gave the station."""
    own, inbound = own_referral(current_user, case), case.inbound_referral
    # The one the case is with, else the last it was sent on: the station keeps seeing what became of it.
    active = case.active_referral or next((r for r in reversed(case.referrals) if r.direction == "out"), None)
    return {
        "own": referral_item(own, now) if own is not None else None,
        "active": referral_item(active, now) if active is not None and active is not own else None,
        "inbound": referral_item(inbound, now) if inbound is not None and inbound is not own else None,
        "period": mediation_period(case),
        "letter": policy.can_read_feedback_letter(current_user, case),
    }


def _post(case, panel, form, action, done, anchor=None):
    """A form posted on the case page, through the request boundary: back to the case when it is done; else
    the page again with ``panel`` open, what was typed, and the refusal's status."""
    return submit(
        form,
        action,
        then=lambda _result: (url_for(".show", number=case.number, _anchor=anchor), done),
        again=lambda status, error: _again(case, panel, form, status, error),
    )


def _again(case, panel, form, status, error):
    if isinstance(error, Conflict):
        # Show the case as it is now; what was typed stays, against the current version, to review and resend.
        if "version" in form:
            form.version.data = str(case.version)
        step = lifecycle.STEPS.get(panel)
        gone = step if step is not None and not policy.can_fire(current_user, case, panel) else None
        forms = {panel: form}
        return _page(case, open_panel=panel, forms=forms, alert=error.message, gone=gone, status=status)
    return _page(case, open_panel=panel, forms={panel: form}, status=status)


def _agreement_page(case, form, status=200, alert=None, saved=None):
    body = render_template(
        "case_page/agreement.html",
        case=case,
        agreement=case.current_agreement,
        form=form,
        alert=alert,
        saved=saved,
    )
    return body, status


def _details_page(case, form, status=200, alert=None, saved=None):
    body = render_template("case_page/details.html", case=case, form=form, alert=alert, saved=saved)
    return body, status


def _edit_again(case, form, status, error, page, saved_form):
    """An edit page refused: ``page(case, form, …)`` again with what was typed. After a conflict, also what is
    saved now (``saved_form()``) beside each field that differs, and the current version: sending again is
    then a deliberate choice made after seeing the other change."""
    if isinstance(error, Conflict):
        form.version.data = str(case.version)
        form.form_errors = []  # the page's own notice says it, with what to do
        return page(case, form, status=status, alert=error.message, saved=saved_form())
    return page(case, form, status=status)


def _data(form, *exclude) -> dict:
    return {name: f.data for name, f in form._fields.items() if name not in exclude}


def _config(key):
    return current_app.config[key]
