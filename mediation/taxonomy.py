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

ROLE_LABELS = {
    "mediator": _l("Mediator"),
    "police_liaison": _l("Police liaison"),
    "court_liaison": _l("Court liaison"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}

AGENCY_KINDS = {
    "police": _l("Police station"),
    "court": _l("Court"),
    "judicial_office": _l("Judicial office"),
    "labour_arbitration": _l("Labour arbitration committee"),
    "other": _l("Other agency"),
}

#: ``Party.sex``: stored as a code; older or imported records may hold 男 / 女, shown as they are.
SEXES = {"male": _l("Male"), "female": _l("Female")}
_SEX_ALIASES = {"m": "male", "f": "female", "男": "male", "女": "female"}


def sex_label(value: str) -> str:
    code = _SEX_ALIASES.get((value or "").lower(), (value or "").lower())
    return str(SEXES[code]) if code in SEXES else value or ""


VISIT_METHODS = {"in_person": _l("In person"), "phone": _l("Phone")}

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
}
