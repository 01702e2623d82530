"""Attachments: evidence photos and documents, kept on disk under their SHA-256 and listed in the database.

Files live at ``UPLOAD_FOLDER/<sha256[:2]>/<sha256>``: identical uploads share one file, and nothing in a
name a user typed ever reaches the file system. The bytes are written before the request commits; a request
that then rolls back leaves an unreferenced file behind, which is harmless (and the next identical upload
reuses it).
"""

import hashlib
import mimetypes
import os
import tempfile
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from mediation import policy, taxonomy
from mediation.clock import utcnow
from mediation.errors import Invalid
from mediation.extensions import db
from mediation.models import Attachment, Case, User
from mediation.services.transitions import flush_case, record_event
from mediation.text import parse_text

#: The longest description (``Attachment.description`` is String(200)).
MAX_LENGTHS = {"description": 200}

#: Images a browser shows inline; every other file is offered as a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def _iso_bmff(head: bytes) -> bool:
    return head[4:8] == b"ftyp"


#: A rough check that the bytes are what the name claims (images, PDF and the zip-based office formats,
#: whose signatures are fixed); other types are accepted on their extension.
SIGNATURES = {
    "jpg": lambda h: h.startswith(b"\xff\xd8\xff"),
    "jpeg": lambda h: h.startswith(b"\xff\xd8\xff"),
    "png": lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"),
    "gif": lambda h: h[:6] in (b"GIF87a", b"GIF89a"),
    "webp": lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP",
    "heic": _iso_bmff,
    "pdf": lambda h: h.startswith(b"%PDF-"),
    "docx": lambda h: h.startswith(b"PK\x03\x04"),
    "xlsx": lambda h: h.startswith(b"PK\x03\x04"),
    "doc": lambda h: h.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    "xls": lambda h: h.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
}


def add_attachment(
    case: Case,
    actor: User,
    *,
    filename: str,
    stream: BinaryIO | bytes,
    description: str = "",
    now: datetime | None = None,
) -> Attachment:
    """Attach a file to ``case`` as ``actor``; return the new attachment.

    Who: the station's mediators, on open cases, and the agency that sent the dispute until the station
    answers it (``policy.can_add_file``), else ``NotAllowed``.
    Checks the extension against ``ATTACHMENT_EXTENSIONS``, the size against ``ATTACHMENT_MAX_BYTES``, that
    the file is not empty, that an image's or PDF's bytes match its extension, and that the same file is not
    already attached to the case; each failure is ``Invalid`` on the field ``file`` (or ``description``).
    Writes the bytes to disk (once per distinct content), adds the row, appends an ``attachment`` event and
    flushes; the caller commits.
    """
    policy.require(
        policy.can_add_file(actor, case),
        _("Only the station's mediators, or the agency that sent the dispute, can add files."),
    )
    config = current_app.config
    name = clean_filename(filename)
    try:
        description = parse_text(description, MAX_LENGTHS["description"])
    except ValueError as error:
        _refuse("description", str(error))
    if not name:
        _refuse("file", _("Choose a file to upload."))
    extension = extension_of(name)
    allowed = tuple(config["ATTACHMENT_EXTENSIONS"])
    if extension not in allowed:
        _refuse(
            "file",
            _(
                "Files of this type cannot be attached. Allowed: %(types)s.",
                types=", ".join(allowed),
            ),
        )
    limit = int(config["ATTACHMENT_MAX_BYTES"])
    data = stream if isinstance(stream, bytes) else stream.read(limit + 1)
    if len(data) > limit:
        _refuse("file", _("The file is larger than %(limit)s.", limit=human_size(limit)))
    if not data:
        _refuse("file", _("The file is empty."))
    check = SIGNATURES.get(extension)
    if check is not None and not check(data[:16]):
        _refuse(
            "file",
            _(
                "The file's content does not look like a .%(ext)s file. "
                "Check that you chose the right file, or save it in its proper format.",
                ext=extension,
            ),
        )
    digest = hashlib.sha256(data).hexdigest()
    duplicate = db.session.scalar(
        select(Attachment).where(Attachment.case_id == case.id, Attachment.sha256 == digest).limit(1)
    )
    if duplicate is not None:
        _refuse(
            "file", _("This file is already attached to the case as “%(name)s”.", name=duplicate.filename)
        )

    store_bytes(digest, data)
    now = now or utcnow()
    attachment = Attachment(
        filename=name,
        content_type=taxonomy.ATTACHMENT_TYPES.get(extension)
        or mimetypes.guess_type(name)[0]
        or "application/octet-stream",
        size=len(data),
        sha256=digest,
        description=description,
        uploaded_by_id=actor.id,
        uploaded_at=now,
    )
    case.attachments.append(attachment)
    flush_case()
    record_event(
        case,
        actor,
        "attachment",
        "upload_attachment",
        {
            "attachment_id": attachment.id,
            "filename": name,
            "description": description,
            "size": len(data),
            "sha256": digest,
        },
        now=now,
    )
    return attachment


def _refuse(field: str, message) -> None:
    raise Invalid(_("The file was not attached."), fields={field: message}, code="invalid_file")


def clean_filename(filename: str | None) -> str:
    """The name as the user knows it (Chinese kept), without any directory part or control characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 254 - len(extension)] + dot + extension) if dot else name[:255]
    return name


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def path_for(digest: str) -> Path:
    """Where the bytes with this SHA-256 live."""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError("not a SHA-256 hex digest")
    return Path(current_app.config["UPLOAD_FOLDER"]) / digest[:2] / digest


def store_bytes(digest: str, data: bytes) -> Path:
    """Write ``data`` under its digest unless an identical file is already there; atomic on one disk."""
    path = path_for(digest)
    if path.exists() and path.stat().st_size == len(data):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def human_size(size: int) -> str:
    """``10 MB``, ``512 KB``, ``80 bytes``: a file size as people read it."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{format_decimal(round(value, 1), format='#,##0.#')} {unit}"
    return _("%(num)s bytes", num=size)
