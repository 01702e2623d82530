"""Attachments: evidence uploaded to a case, checked, stored on disk by checksum, read by viewers only."""

import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mediation.models import Attachment, Event
from tests.conftest import fire, login, make_case, with_panels

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def case(db, station, mediator):
    case = make_case(station, mediator)
    db.session.commit()
    return case


def upload(client, case, content, filename, description="Kitchen ceiling, 3 March"):
    return client.post(
        f"/cases/{case.number}/attachments",
        data={"file": (io.BytesIO(content), filename), "description": description},
        content_type="multipart/form-data",
    )


def attachments(db, case):
    db.session.expire_all()
    return db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)).all()


def stored(app, content) -> Path:
    digest = hashlib.sha256(content).hexdigest()
    return Path(app.config["UPLOAD_FOLDER"]) / digest[:2] / digest


def test_a_photo_is_stored_on_disk_by_checksum_and_listed(app, client, db, case, mediator):
    login(client, mediator)
    response = upload(client, case, PNG, "厨房 漏水.png")
    assert response.status_code == 302 and response.headers["Location"].endswith("#attachments")
    (item,) = attachments(db, case)
    assert item.sha256 == hashlib.sha256(PNG).hexdigest() and item.size == len(PNG)
    assert (item.filename, item.content_type, item.uploaded_by_id) == (
        "厨房 漏水.png",
        "image/png",
        mediator.id,
    )
    assert stored(app, PNG).read_bytes() == PNG
    event = db.session.scalars(
        select(Event).where(Event.case_id == case.id).order_by(Event.id.desc())
    ).first()
    assert (event.kind, event.action) == ("attachment", "upload_attachment")
    assert event.data["sha256"] == item.sha256 and event.data["filename"] == "厨房 漏水.png"
    html = client.get(f"/cases/{case.number}").get_data(as_text=True)
    assert "厨房 漏水.png" in html and "Kitchen ceiling, 3 March" in html
    assert f"/cases/{case.number}/attachments/{item.id}" in html


def refused(client, db, case, content, filename, message):
    response = upload(client, case, content, filename, description="typed description")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and 'id="attachment-file-error"' in html
    assert 'value="typed description"' in html and 'class="collapse show" id="attachment-form"' in html
    assert attachments(db, case) == []


def test_a_type_not_allowed_is_refused(client, db, case, mediator):
    login(client, mediator)
    refused(client, db, case, b"MZ\x90\x00", "setup.exe", "Files of this type cannot be attached.")


def test_a_file_over_the_attachment_limit_is_refused(app, client, db, case, mediator, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 1024)
    login(client, mediator)
    refused(client, db, case, PDF + b"0" * 1024, "quote.pdf", "The file is larger than 1 KB.")


def test_an_upload_over_the_request_limit_gets_a_friendly_413(app, client, db, case, mediator, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    login(client, mediator)
    response = upload(client, case, PNG + b"\x00" * 4096, "big.png")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The upload is too large: files up to 2 KB can be attached." in html
    assert case.number in html and 'class="collapse show" id="attachment-form"' in html
    assert attachments(db, case) == []


def test_an_image_whose_bytes_are_not_an_image_is_refused(client, db, case, mediator):
    login(client, mediator)
    refused(client, db, case, b"<html>not a photo</html>", "photo.jpg", "does not look like a .jpg file")


def test_a_pdf_that_is_not_a_pdf_is_refused(client, db, case, mediator):
    login(client, mediator)
    refused(client, db, case, PNG, "contract.pdf", "does not look like a .pdf file")


def test_an_empty_file_is_refused(client, db, case, mediator):
    login(client, mediator)
    refused(client, db, case, b"", "empty.txt", "The file is empty.")


def test_no_file_is_refused(client, db, case, mediator):
    login(client, mediator)
    response = client.post(
        f"/cases/{case.number}/attachments", data={"description": "x"}, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and "Choose a file to upload." in response.get_data(as_text=True)


def test_the_same_file_twice_on_a_case_is_refused_but_another_case_shares_the_bytes(
    app, client, db, station, case, mediator
):
    content = PDF + b"% shared\n"
    login(client, mediator)
    assert upload(client, case, content, "quote.pdf").status_code == 302
    first = stored(app, content).stat()
    response = upload(client, case, content, "quote again.pdf")
    assert "already attached to the case as “quote.pdf”" in response.get_data(as_text=True)
    other = make_case(station, mediator, title="Another dispute")
    db.session.commit()
    assert upload(client, other, content, "same quote.pdf").status_code == 302
    digest = hashlib.sha256(content).hexdigest()
    assert db.session.scalar(select(func.count(Attachment.id)).where(Attachment.sha256 == digest)) == 2
    again = stored(app, content).stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)  # written once
    assert not [p for p in stored(app, content).parent.iterdir() if p.name.startswith(".upload-")]


@pytest.mark.parametrize("persona", ["supervisor", "admin"])
def test_only_the_stations_mediators_upload(client, db, case, persona, request):
    login(client, request.getfixturevalue(persona))
    assert upload(client, case, PNG, "a.png").status_code == 403
    assert attachments(db, case) == []


def test_nothing_is_uploaded_to_a_closed_case(client, db, case, mediator):
    fire(case, "withdraw", mediator)
    db.session.commit()
    login(client, mediator)
    assert upload(client, case, PNG, "a.png").status_code == 403


# --- Downloads -----------------------------------------------------------------------------------------


@pytest.fixture
def files(client, db, case, mediator):
    login(client, mediator)
    upload(client, case, PNG, "photo.png")
    upload(client, case, PDF, "报价单.pdf")
    client.post("/logout")
    png, pdf = attachments(db, case)
    return png, pdf


def test_an_image_is_shown_inline_with_its_type(client, case, mediator, files):
    login(client, mediator)
    response = client.get(f"/cases/{case.number}/attachments/{files[0].id}")
    assert response.status_code == 200 and response.data == PNG
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_document_is_downloaded_under_its_original_name(client, case, supervisor, files):
    login(client, supervisor)  # may view the case, so may read its files
    response = client.get(f"/cases/{case.number}/attachments/{files[1].id}")
    assert response.status_code == 200 and response.data == PDF and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert (
        disposition.startswith("attachment")
        and "filename*=UTF-8''%E6%8A%A5%E4%BB%B7%E5%8D%95.pdf" in disposition
    )


def test_an_outsider_gets_404(client, case, outsider, files):
    login(client, outsider)
    assert client.get(f"/cases/{case.number}/attachments/{files[0].id}").status_code == 404


def test_an_attachment_of_another_case_is_404_here(client, db, station, case, mediator, files):
    other = make_case(station, mediator, title="Another dispute")
    db.session.commit()
    login(client, mediator)
    assert client.get(f"/cases/{other.number}/attachments/{files[0].id}").status_code == 404
    assert client.get(f"/cases/{case.number}/attachments/999999").status_code == 404


def test_a_file_missing_from_disk_is_404_not_500(app, client, db, case, mediator):
    login(client, mediator)
    content = PNG + b"lost"
    upload(client, case, content, "lost.png")
    (item,) = attachments(db, case)
    stored(app, content).unlink()
    assert client.get(f"/cases/{case.number}/attachments/{item.id}").status_code == 404


def test_the_upload_form_is_multipart_with_labels(client, case, mediator):
    login(client, mediator)
    html = with_panels(client, f"/cases/{case.number}")
    assert 'enctype="multipart/form-data"' in html
    assert 'for="attachment-file"' in html and 'for="attachment-description"' in html
    assert "No files attached." in html and "data-attachment=" not in html


def test_with_csrf_on_the_413_comes_before_the_token_check_and_is_still_friendly(
    app, client, db, case, mediator, monkeypatch
):
    login(client, mediator)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = upload(client, case, PNG + b"\x00" * 4096, "big.png")
    assert response.status_code == 413
    assert "files up to 2 KB can be attached" in response.get_data(as_text=True)
