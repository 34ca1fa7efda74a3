"""Attachments: real files made here, and items with attachments built through the services."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart


def pdf_bytes(text: str = "dwgk") -> bytes:
    """A small but complete PDF (with a correct cross-reference table): one page."""
    stream = f"BT /F1 24 Tf 20 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real PNG: signature, IHDR, one IDAT of red pixels, IEND."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/word/document.xml" ContentType="application/'
                 'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')


def docx_bytes(extra: dict[str, str] | None = None, folder: str = "word") -> bytes:
    """A minimal .docx (or, with folder="xl"/"ppt", the skeleton of the other two)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels",
                         '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                         'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                         f'officeDocument" Target="{folder}/document.xml"/></Relationships>')
        archive.writestr(f"{folder}/document.xml",
                         '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
                         'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
                         '党费收缴情况</w:t></w:r></w:p></w:body></w:document>')
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def plain_zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("名单.txt", "张三\n李四\n")
    return buffer.getvalue()


def ole2_bytes() -> bytes:
    """The header of a legacy (OLE2 compound file) Office document, padded to one sector."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff" + b"\x00" * 482


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100 + b"This program cannot be run in DOS mode."


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"

PDF = pdf_bytes()
PNG = png_bytes()
DOCX = docx_bytes()


def file_storage(name: str, data: bytes) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def multipart(files: list[tuple[str, bytes]], **fields: str) -> tuple[bytes, str]:
    """(body, content type) of a browser's multipart form: each file under the name "files".

    Encoded here, in memory: the test client spools bodies over 500 KB to a temporary file
    it never closes (a ResourceWarning, which this project's pytest turns into an error)."""
    values = [("files", file_storage(name, content)) for name, content in files]
    values += list(fields.items())
    boundary, body = encode_multipart(MultiDict(values))
    return body, f"multipart/form-data; boundary={boundary}"


def upload(client, disclosure_id: int, *files: tuple[str, bytes], htmx: bool = False, **kwargs):
    """POST the files to the upload route as a browser's multipart form would."""
    if client.csrf is None:
        client.refresh_csrf()
    body, content_type = multipart(list(files), csrf_token=client.csrf)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/office/items/{disclosure_id}/attachments", data=body,
                       content_type=content_type, headers=headers, **kwargs)


def make_item_with_attachment(state=None, *, name: str = "党费收缴情况.pdf", data: bytes = PDF,
                              **overrides):
    """An item with one attachment on its first revision, driven through the real services up
    to `state` (default: published). Call inside an app context; the caller commits.
    Returns (disclosure, attachment)."""
    from dwgk.accounts.models import Role
    from dwgk.disclosures import attachments, services
    from dwgk.disclosures.models import Decision, State
    from tests.factories import make_disclosure, make_user

    state = state or State.PUBLISHED
    author = make_user(Role.OFFICE, Role.MEMBER)
    disclosure = make_disclosure(State.DRAFT, author=author, **overrides)
    attachment = attachments.add_attachment(disclosure.working_revision, file_storage(name, data),
                                            actor=author)
    if state == State.DRAFT:
        return disclosure, attachment
    services.submit(disclosure, actor=author)
    services.review(disclosure, services.ReviewInput(
        decision=Decision.APPROVE, check_content=True, check_form=True, check_scope=True,
        check_timing=True, check_duration=True, check_secrecy=True),
        reviewer=make_user(Role.REVIEWER, Role.MEMBER))
    services.publish(disclosure, actor=author)
    if state == State.WITHDRAWN:
        services.withdraw(disclosure, "测试撤回", actor=author)
    elif state == State.ARCHIVED:
        services.archive(disclosure, actor=author)
    return disclosure, attachment
