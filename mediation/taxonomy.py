"""The fixed vocabularies of DOMAIN.md and DESIGN.md: codes are the API contract, labels are translated."""

from flask_babel import lazy_gettext as _l

CATEGORIES = {
    "marriage_family": _l("Marriage and family"),
    "neighbour": _l("Neighbours"),
    "housing_land": _l("Housing and homestead land"),
    "contract": _l("Contracts"),
    "business": _l("Production and business"),
    "damages": _l("Compensation for damage"),
    "labour": _l("Labour disputes"),
    "property_management": _l("Property management"),
    "land_forest": _l("Land and forest rights"),
    "expropriation": _l("Land expropriation and demolition"),
    "environment": _l("Environmental pollution"),
    "medical": _l("Medical disputes"),
    "traffic": _l("Road traffic accidents"),
    "consumer": _l("Consumer disputes"),
    "other": _l("Other"),
}

CHANNELS = {
    "walk_in": _l("Walk-in visit"),
    "police": _l("Police referral"),
    "court": _l("Court referral"),
    "government": _l("Assigned by a government department"),
    "grid": _l("Grid worker or outdoor-worker report"),
    "phone": _l("Phone"),
    "online": _l("Online form or QR code"),
}

#: Risk of the dispute escalating into violence or crime (民转刑), shown blue / yellow / red.
RISK_LEVELS = {
    "low": _l("Low"),
    "medium": _l("Medium"),
    "high": _l("High"),
}
RISK_BADGES = {"low": "primary", "medium": "warning", "high": "danger"}

OUTCOMES = {
    "declined": _l("Declined"),
    "unresolved": _l("Mediation failed"),
    "withdrawn": _l("Withdrawn"),
    "resolved": _l("Resolved"),
}

#: Where a referral stands (codes in ``Referral.status``).
REFERRAL_STATUSES = {
    "pending": _l("Waiting for the agency's answer"),
    "accepted": _l("Accepted by the agency"),
    "declined": _l("Declined by the agency"),
    "recalled": _l("Recalled"),
    "returned": _l("Returned to the station"),
    "resolved": _l("Resolved by the agency"),
}

#: Where a dispute an agency sent to a station stands, as the agency reads it (an inbound ``Referral``).
INBOUND_STATUSES = {
    "pending": _l("Waiting for the station's answer"),
    "accepted": _l("Accepted by the station"),
    "declined": _l("Declined by the station"),
}

#: The case list's ``referral`` filter (``services.inbox.POSITIONS``): a liaison's are their agency's.
REFERRAL_POSITIONS = {
    "waiting": _l("Referred, waiting for the agency's answer"),
    "with_us": _l("Referred and accepted by the agency"),
    "sent": _l("Sent to the station by an agency"),
}

#: Why a station does not accept a dispute (不予受理, DOMAIN §1).
DECLINE_REASONS = {
    "other_body": _l("The law assigns it to another body"),
    "court_accepted": _l("A court has already accepted it"),
    "party_refused": _l("A party refuses mediation"),
    "crime_or_public_order": _l("Already a crime or public-order matter (police)"),
    "government": _l("Already before the township government"),
    "other": _l("Other reason"),
}

PARTY_ROLES = {
    "applicant": _l("Applicant"),
    "respondent": _l("Respondent"),
    "third_party": _l("Third party"),
}

#: A party's particulars, as forms, the timeline and the audit log name them.
PARTICULARS = {
    "kind": _l("Person or organisation"),
    "name": _l("Name"),
    "phone": _l("Phone"),
    "id_number": _l("ID number"),
    "address": _l("Address"),
    "sex": _l("Sex"),
    "birth_date": _l("Date of birth"),
    "ethnicity": _l("Ethnicity"),
    "occupation": _l("Occupation"),
    "legal_representative": _l("Legal representative"),
    "credit_code": _l("Unified social credit code"),
}

#: ``Party.kind``: one file per person or organisation.
PARTY_KINDS = {"person": _l("A person"), "organisation": _l("An organisation")}

ROLE_LABELS = {
    "mediator": _l("Mediator"),
    "liaison": _l("Agency liaison"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}
#: The roles that speak for an agency (and belong to exactly one).
LIAISON_ROLES = ("liaison",)
#: A liaison is named by the kind of agency they speak for.
LIAISON_LABELS = {"police": _l("Police liaison"), "court": _l("Court liaison")}


def role_label(user) -> str:
    """The user's role as people call it: a police station's liaison is its police liaison."""
    if user.role in LIAISON_ROLES and user.agency is not None:
        return str(LIAISON_LABELS.get(user.agency.kind, ROLE_LABELS[user.role]))
    return str(ROLE_LABELS[user.role])


AGENCY_KINDS = {
    "police": _l("Police station"),
    "court": _l("Court"),
    "judicial_office": _l("Judicial office"),
    "labour_arbitration": _l("Labour arbitration committee"),
    "letters_visits": _l("Letters and visits office"),
    "legal_aid": _l("Legal aid centre"),
    "government": _l("Government department"),
    "other": _l("Other agency"),
}

#: ``Party.sex``: stored as a code; older or imported records may hold 男 / 女, shown as they are.
SEXES = {"male": _l("Male"), "female": _l("Female")}
_SEX_ALIASES = {"m": "male", "f": "female", "男": "male", "女": "female"}


def sex_code(value: str) -> str:
    """``male`` / ``female`` for a code or an older spelling (男, F, …); anything else as it is."""
    text = (value or "").strip()
    code = _SEX_ALIASES.get(text.lower(), text.lower())
    return code if code in SEXES else text


def sex_label(value: str) -> str:
    code = sex_code(value)
    return str(SEXES[code]) if code in SEXES else value or ""


#: How a follow-up visit (回访) was made.
VISIT_METHODS = {"in_person": _l("In person"), "phone": _l("Phone"), "video": _l("Video or WeChat")}

#: Why a case is closed without the follow-up visit it needs, where the deployment allows it (an admin
#: chooses which of these it accepts: ``flask --app mediation mediation close-waiver``).
VISIT_WAIVER_REASONS = {
    "unreachable": _l("The parties cannot be reached"),
    "moved_away": _l("The parties have moved away"),
    "refuse_visit": _l("The parties refuse follow-up visits"),
    "other": _l("Other reason"),
}

#: What a follow-up visit found of the agreement (or of the settlement the agency reached).
PERFORMANCE = {
    "fully": _l("Performed in full"),
    "partly": _l("Partly performed"),
    "not": _l("Not performed"),
}

#: How pressing a supervision (督办) is: the supervisor's choice, shown on the case in every list.
SUPERVISION_URGENCIES = {"ordinary": _l("Ordinary"), "key": _l("Key"), "urgent": _l("Urgent")}
SUPERVISION_BADGES = {"ordinary": "secondary", "key": "warning", "urgent": "danger"}
#: How a supervision ended: the supervisor ended it, or the case closed.
SUPERVISION_ENDINGS = {"ended": _l("Ended by the supervisor"), "case_closed": _l("The case closed")}

#: What the court decided on an application for judicial confirmation (DOMAIN §4).
JC_DECISIONS = {
    "valid": _l("Confirmed valid"),
    "invalid": _l("Found invalid"),
    "not_accepted": _l("Application not accepted"),
}
#: The court's answer to an application for judicial confirmation, within 3 days of receiving it.
JC_ANSWERS = {"accepted": _l("Accepted"), "not_accepted": _l("Not accepted")}
#: What the court decides on an application it accepted.
JC_RULINGS = {code: JC_DECISIONS[code] for code in ("valid", "invalid")}

#: Which way a referral went (its kind, the key of its rules, is declared in ``mediation.linkage``).
REFERRAL_DIRECTIONS = {"out": _l("Sent by the station"), "in": _l("Sent to the station")}

#: What a station reports back to the agency that sent it a dispute (调解情况反馈).
FEEDBACK_OUTCOMES = {
    "agreement": _l("The parties reached an agreement"),
    "failure": _l("Mediation failed"),
    "withdrawn": _l("The applicant withdrew"),
}

#: The files that can be attached, by extension, with the type they are served as.
ATTACHMENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "heic": "image/heic",
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "amr": "audio/amr",
    "mp4": "video/mp4",
}

#: What an audit-log entry is about (``AuditEntry.realm``); a case's own changes are in its event trail.
AUDIT_REALMS = {
    "case": _l("Case"),
    "party": _l("Party file"),
    "station": _l("Station"),
    "account": _l("Account"),
    "settings": _l("Settings"),
    "system": _l("System"),
}

#: What the audit log records, by action code (labels for the audit page).
AUDIT_ACTIONS = {
    "create_station": _l("Created a station"),
    "create_agency": _l("Created an agency"),
    "create_user": _l("Created an account"),
    "log_visitor": _l("Wrote a visitor into the visit log"),
    "set_roster": _l("Changed the duty roster"),
    "set_setting": _l("Changed a setting"),
    "load_holidays": _l("Loaded holiday calendar years"),
    "set_holiday": _l("Changed a day of the holiday calendar"),
    "confirm_holiday_year": _l("Marked a calendar year as complete"),
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Failed to sign in"),
    "sign_in_throttled": _l("Sign-in refused after too many failures"),
    "sign_out": _l("Signed out"),
    "view_personal_data": _l("Was shown a party's full personal data"),
    "update_party": _l("Corrected a party's particulars"),
    "update_party_at_intake": _l("Completed a party's file at intake"),
    "export_cases": _l("Exported a case list"),
}

#: Where personal data is shown (``policy.OUTPUTS``), as the audit log names the views it records.
PERSONAL_DATA_OUTPUTS = {
    "case_page": _l("Case page"),
    "party_file": _l("Party file"),
    "agreement_print": _l("Printable agreement"),
    "party_form": _l("Correcting particulars"),
    "timeline": _l("Timeline"),
    "type_ahead": _l("Type-ahead at intake"),
    "intake_match": _l("Matching at intake"),
    "api": _l("API"),
    "export": _l("Export"),
}

#: How a deadline's length is counted.
DEADLINE_UNITS = {"calendar": _l("calendar days"), "working": _l("working days")}

#: What the audit log's entries record, by key (beyond a party's particulars).
AUDIT_FIELDS = {
    **PARTICULARS,
    "code": _l("Code"),
    "district": _l("District"),
    "username": _l("Username"),
    "role": _l("Role"),
    "stations": _l("Stations"),
    "agency": _l("Agency"),
    "remember": _l("Keep me signed in"),
    "wait_seconds": _l("Wait (seconds)"),
    "visited_at": _l("Came in"),
    "on_duty": _l("On duty"),
    "off_duty": _l("Off duty"),
    "days": _l("Days"),
    "unit": _l("Counted in"),
    "fraction": _l("Due soon at this share of the time"),
    "working_days": _l("Due soon this many working days before"),
    "years": _l("Years"),
    "year": _l("Year"),
    "source": _l("Source"),
    "working": _l("Working day"),
    "fields": _l("Shown in full"),
    "output": _l("Where"),
    "format": _l("Format"),
    "filters": _l("Filters"),
    "rows": _l("Rows"),
}
