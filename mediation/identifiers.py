"""The numbers that identify a party: phone numbers, resident ID numbers and organisations' credit codes.

Pure functions, no database: ``normalise_*`` turns a number as people type it into the one form that is
stored and matched (so one phone written two ways finds one file), and ``*_problem`` says what is wrong
with a number (``None`` when it is fine) as a code the services turn into a translated message.
"""

import re
import unicodedata
from datetime import date

# --- Phones -------------------------------------------------------------------------------------------------

#: What people put between digits: spaces, dashes, dots, brackets (ASCII and full-width, after NFKC).
_PHONE_SEPARATORS = re.compile(r"[\s\-.()\[\]/]+")
#: A mainland mobile number (11 digits).
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
#: What a stored phone may be: a mobile; a landline with its area code (0 + 2–3 digits + 7–8 digits); a
#: local landline without one (7–8 digits); or a number abroad with its country code.
_PHONE = re.compile(r"^(1[3-9][0-9]{9}|0[1-9][0-9]{8,10}|[2-9][0-9]{6,7}|\+[1-9][0-9]{6,14})$")


def normalise_phone(text: str) -> str:
    """The stored form of a phone as typed: digits only, without the separators people write and without
    China's country code (+86, 0086, or a bare 86 before a mobile). ``"+86 138-1234-5678"`` and
    ``"(0931) 812 3456"`` become ``"13812345678"`` and ``"09318123456"``. Anything else is left alone,
    so that ``phone_problem`` can point at it."""
    value = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).strip()
    for prefix in ("+86", "0086"):
        if value.startswith(prefix) and value[len(prefix) :].isdigit():
            rest = value[len(prefix) :]
            # Dialled from abroad, a landline drops its leading 0 (+86 931 …): put it back.
            return rest if MOBILE.match(rest) or rest.startswith("0") else "0" + rest
    if value.startswith("86") and MOBILE.match(value[2:]):
        return value[2:]
    return value


def phone_problem(normalised: str) -> str | None:
    """``None`` for a phone ``normalise_phone`` gave that can be dialled; else ``"characters"`` (letters or
    other signs) or ``"shape"`` (digits, but not a mobile, a landline or a number abroad)."""
    if not normalised or _PHONE.match(normalised):
        return None
    return "shape" if normalised.lstrip("+").isdigit() else "characters"


def is_phone(text: str) -> bool:
    """Whether ``text`` is a phone number written some way (for search: "138 1234 5678" is a phone)."""
    normalised = normalise_phone(text)
    return bool(normalised) and phone_problem(normalised) is None


# --- Resident ID numbers (GB 11643) ------------------------------------------------------------------------

#: Weights of the first 17 digits, and the check character for each remainder of their sum modulo 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalise_id_number(text: str) -> str:
    """An ID number as stored: without spaces, full-width characters folded, a final ``x`` as ``X``."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper()


def id_check_character(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def birth_date_in_id(number: str) -> date | None:
    """The date of birth an ID number holds (18 digits: YYYYMMDD; 15-digit legacy: YYMMDD in the 1900s),
    or ``None`` when it holds no real date."""
    digits = number[6:14] if len(number) == 18 else "19" + number[6:12] if len(number) == 15 else ""
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def sex_in_id(number: str) -> str | None:
    """``"male"`` or ``"female"``: the parity of the sequence number's last digit (odd for men)."""
    digit = number[16:17] if len(number) == 18 else number[14:15] if len(number) == 15 else ""
    return ("male" if int(digit) % 2 else "female") if digit.isdecimal() else None


def id_number_problem(number: str, today: date) -> str | None:
    """``None`` for a valid resident ID number (as ``normalise_id_number`` gave it); else a code:
    ``"shape"`` (not 18 characters — 17 digits and a digit or X — nor 15 digits), ``"check"`` (the last
    character does not match the others: a typing mistake), ``"date"`` (no real date of birth in it, or one
    after ``today``)."""
    if not number:
        return None
    if not re.fullmatch(r"[0-9]{17}[0-9X]|[0-9]{15}", number):
        return "shape"
    if len(number) == 18 and id_check_character(number[:17]) != number[17]:
        return "check"
    born = birth_date_in_id(number)
    if born is None or born > today or born.year < 1900:
        return "date"
    return None


# --- Unified social credit codes (GB 32100) ---------------------------------------------------------------

#: The 31 characters a credit code is written in (no I, O, S, V, Z), in the order of their values.
_CREDIT_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def normalise_credit_code(text: str) -> str:
    return normalise_id_number(text)


def credit_check_character(first17: str) -> str:
    total = sum(_CREDIT_CHARACTERS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARACTERS[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """``None`` for a valid unified social credit code; ``"shape"`` (not 18 of its characters) or
    ``"check"`` (the last character does not match the others)."""
    if not code:
        return None
    if len(code) != 18 or any(c not in _CREDIT_CHARACTERS for c in code):
        return "shape"
    if credit_check_character(code[:17]) != code[17]:
        return "check"
    return None
