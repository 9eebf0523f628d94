import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from postsale.core.errors import Invalid
from postsale.tickets.attachments import check_attachments


def png(size=(4, 4)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "PNG")
    return out.getvalue()


def upload(name, data):
    return SimpleUploadedFile(name, data)


def test_images_pdf_and_text_are_accepted_with_their_real_type():
    files = check_attachments([upload("photo.png", png()), upload("bill.pdf", b"%PDF-1.7 x"),
                               upload("notes.txt", "zażółć".encode())])
    assert [f.content_type for f in files] == ["image/png", "application/pdf", "text/plain"]


@pytest.mark.parametrize("name,data", [
    ("broken.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10),
    ("fake.jpg", b"<html><script>alert(1)</script></html>"),
    ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("page.html", b"<html></html>"),
    ("page.txt", b"<!DOCTYPE html><html></html>"),
    ("not.pdf", b"MZ\x90\x00"),
    ("empty.txt", b""),
    ("binary.txt", b"\xff\xfe\x00\x00"),
])
def test_unsafe_or_broken_files_are_refused_with_a_message(name, data):
    with pytest.raises(Invalid) as exc:
        check_attachments([upload(name, data)])
    assert name in exc.value.message
    assert exc.value.field_errors


def test_too_large_and_too_many_files_are_refused(settings):
    settings.POSTSALE_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(Invalid, match="too large"):
        check_attachments([upload("big.txt", b"a" * 2000)])
    settings.POSTSALE_ATTACHMENT_MAX_FILES = 2
    with pytest.raises(Invalid, match="at most 2"):
        check_attachments([upload(f"{i}.txt", b"a") for i in range(3)])


def test_path_in_the_file_name_is_dropped():
    (checked,) = check_attachments([upload("../../etc/passwd.txt", b"root")])
    assert checked.name == "passwd.txt"
