"""Text people type: trimmed, and no longer than its field allows.

Each field's limit is the length of the column it lands in, or for a ``Text`` column a generous one chosen
for what is written there. The service checks it (so a script or the API meets the same rule) and the form
carries it as ``maxlength`` (``form_flags.MaxLength``), so a browser stops at the limit instead of losing a
whole form to a refusal.
"""

from flask_babel import format_decimal
from flask_babel import gettext as _

#: A reason, a note, a result, what a visitor came about: a few paragraphs.
NOTE_LENGTH = 5_000
#: What goes into a document: agreed terms, facts and responsibility, the minutes of a session.
DOCUMENT_LENGTH = 10_000


def parse_text(raw, max_length: int) -> str:
    """``raw`` as trimmed text (``None`` is empty); ``ValueError`` naming the limit when it is longer.

    Line breaks are kept as ``\\n``: a browser counts each as one character against ``maxlength`` but
    sends it as two (``\\r\\n``).
    """
    text = "" if raw is None else str(raw).replace("\r\n", "\n").strip()
    if len(text) > max_length:
        raise ValueError(
            _(
                "Keep this to %(limit)s characters or fewer (it has %(length)s).",
                limit=format_decimal(max_length),
                length=format_decimal(len(text)),
            )
        )
    return text


def parse_texts(raw: dict, max_lengths: dict, errors: dict) -> dict:
    """Each text in ``raw`` parsed against its limit in ``max_lengths``; a refusal goes into ``errors``
    under the field's name and leaves the field out of what is returned."""
    texts = {}
    for name, value in raw.items():
        try:
            texts[name] = parse_text(value, max_lengths[name])
        except ValueError as error:
            errors[name] = str(error)
    return texts
