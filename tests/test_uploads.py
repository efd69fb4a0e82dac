"""Uploads are judged by what they contain: every file of the crafted corpus (tests/uploads) is
refused or accepted as it should be, by the content checks and through the evidence upload page,
with a clear message, never a server error, and nothing left in storage after a refusal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.html import escape

from bureaus import uploads
from bureaus.tenancy import bureau_scope
from cohorts.models import Evidence, EvidenceFile
from tests.uploads import make_corpus
from tests.uploads.samples import MINIMAL_PDF

MB = 1024 * 1024
SAMPLES = {sample.key: sample for sample in make_corpus.SAMPLES}
BAD = [key for key, sample in SAMPLES.items() if not sample.accepted]
GOOD = [key for key, sample in SAMPLES.items() if sample.accepted]
LIMITS = uploads.Limits(max_bytes=20 * MB)


def test_the_corpus_has_forty_crafted_files_and_valid_ones():
    assert len(BAD) >= 40
    assert len(GOOD) >= 10


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("upload-corpus")
    make_corpus.write(folder)
    return folder


def inspect(corpus: Path, key: str) -> uploads.AcceptedUpload:
    data = (corpus / key).read_bytes()
    return uploads.inspect(SAMPLES[key].upload_name, io.BytesIO(data), len(data), limits=LIMITS)


# --- The content checks, file by file -----------------------------------------------------------


@pytest.mark.parametrize("key", BAD)
def test_a_crafted_file_is_refused(corpus, key):
    with translation.override("zh-hans"), pytest.raises(uploads.UploadRefused) as refused:
        inspect(corpus, key)
    message = str(refused.value)
    assert uploads.short_name(SAMPLES[key].upload_name) in message  # names the file
    reasons = ("不能上传", "不是", "空文件", "只能上传", "过大", "密码")
    assert any(reason in message for reason in reasons)


@pytest.mark.parametrize("key", GOOD)
def test_a_valid_file_is_accepted(corpus, key):
    accepted = inspect(corpus, key)
    assert accepted.extension == Path(SAMPLES[key].upload_name).suffix.lower()
    assert accepted.name == uploads.short_name(SAMPLES[key].upload_name)


def test_the_stream_is_left_at_its_start(corpus):
    stream = io.BytesIO((corpus / "ok.docx").read_bytes())
    stream.seek(10)
    uploads.inspect("a.docx", stream, len(stream.getvalue()), limits=LIMITS)
    assert stream.tell() == 0


@pytest.mark.parametrize(
    "name, short",
    [
        ("教案.pdf", "教案.pdf"),
        ("../../x.pdf", "x.pdf"),
        ("C:\\Users\\老师\\Desktop\\教案.docx", "教案.docx"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
        ("很长" * 150 + ".xlsx", ("很长" * 150)[:195] + ".xlsx"),
        ("", "file"),
    ],
)
def test_a_name_loses_its_folders_and_keeps_its_extension_when_shortened(name, short):
    assert uploads.short_name(name) == short
    assert len(uploads.short_name(name)) <= 200


def test_the_zip_limits_are_configurable(corpus):
    data = (corpus / "ok.docx").read_bytes()
    with pytest.raises(uploads.UploadRefused, match="部件过多"):
        uploads.inspect(
            "a.docx",
            io.BytesIO(data),
            len(data),
            limits=uploads.Limits(max_bytes=MB, zip_max_members=2),
        )


def test_the_pixel_limit_is_configurable(corpus):
    data = (corpus / "ok.png").read_bytes()  # 48 × 32
    with pytest.raises(uploads.UploadRefused, match="像素"):
        uploads.inspect(
            "a.png", io.BytesIO(data), len(data), limits=uploads.Limits(max_bytes=MB, max_pixels=1)
        )


def test_the_pixel_limit_counts_the_bands_too():
    """An RGBA image costs a third more memory than an RGB one of as many pixels."""
    from PIL import Image

    limits = uploads.Limits(max_bytes=MB, max_pixels=1000)
    for mode, accepted in (("RGB", True), ("RGBA", False)):
        out = io.BytesIO()
        Image.new(mode, (30, 30)).save(out, "PNG")  # 900 pixels
        data = out.getvalue()
        if accepted:
            uploads.inspect("a.png", io.BytesIO(data), len(data), limits=limits)
        else:
            with pytest.raises(uploads.UploadRefused, match="像素"):
                uploads.inspect("a.png", io.BytesIO(data), len(data), limits=limits)


def test_a_40_megapixel_photo_fits_the_default_limit():
    assert 7728 * 5152 <= uploads.Limits(max_bytes=MB).max_pixels < 41_600_000


@pytest.mark.parametrize(
    "key, reason",
    [
        ("pdf-file-attachment.pdf", "内嵌文件"),
        ("pdf-gotor.pdf", "内嵌文件"),
        ("pdf-xfa.pdf", "内嵌文件"),
        ("pdf-html-stream.pdf", "网页内容"),
        ("pdf-html-comment-stream.pdf", "网页内容"),
        ("docx-padded-vba.docx", "部件清单过大"),
        ("docx-vba-type.docx", "含有宏"),
        ("docx-external-template.docx", "外部文件"),
        ("docx-activex.docx", "ActiveX"),
        ("docx-ole.docx", "嵌入对象"),
        ("doc-legacy.doc", "请另存为 .docx 后上传"),
        ("xls-legacy.xls", "请另存为 .xlsx 后上传"),
        ("ppt-legacy.ppt", "请另存为 .pptx 后上传"),
        ("png-text-img.png", "网页内容"),
        ("jpeg-comment-link.jpg", "网页内容"),
        ("jpeg-zip.jpg", "结尾之后"),
        ("jpeg-pdf.jpg", "结尾之后"),
        ("gif-zip.gif", "结尾之后"),
        ("png-41mp.png", "40 百万像素"),
    ],
)
def test_a_bypass_found_in_review_is_refused_for_its_reason(corpus, key, reason):
    with translation.override("zh-hans"), pytest.raises(uploads.UploadRefused) as refused:
        inspect(corpus, key)
    assert reason in str(refused.value)


def test_a_spreadsheet_to_read_goes_through_the_zip_checks(corpus):
    uploads.check_spreadsheet("名单.xlsx", (corpus / "ok.xlsx").read_bytes())
    uploads.check_spreadsheet("名单.csv", "工号,姓名\n".encode())
    for key in ("zip-bomb.xlsx", "xlsx-vba.xlsx", "xlsx-no-workbook.xlsx"):
        with pytest.raises(uploads.UploadRefused):
            uploads.check_spreadsheet("名单.xlsx", (corpus / key).read_bytes())
    with pytest.raises(uploads.UploadRefused):
        uploads.check_spreadsheet("名单.xlsx", MINIMAL_PDF)


def test_a_file_larger_than_it_claims_is_still_refused():
    data = MINIMAL_PDF + b"%" + b"0" * MB
    with pytest.raises(uploads.UploadRefused, match="最大为 1 MB"):
        uploads.inspect("a.pdf", io.BytesIO(data), 10, limits=uploads.Limits(max_bytes=MB))


# --- Through the evidence upload page -----------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    (tmp_path / "upload-tmp").mkdir()
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # larger files go through temporary files
    return tmp_path


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


def post_evidence(client, cast, upload_name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with bureau_scope(cast.bureau):
        kind = cast.programme.requirements.get().criteria.first().kinds.get()
        requirement = cast.programme.requirements.get()
    return client.post(
        "/evidence/new/",
        {
            "kind": kind.pk,
            "title": "语料检查",
            "level": "1",
            "date": "2024-10-10",
            "hours": "",
            "delivery_mode": "",
            "description": "",
            "requirements": [requirement.pk],
            "files": [SimpleUploadedFile(upload_name, content)],
            "submit": "1",
        },
    )


@pytest.mark.django_db
@pytest.mark.parametrize("key", BAD)
def test_a_crafted_file_is_refused_by_the_upload_page_and_nothing_is_kept(
    xuhui, corpus, media, key
):
    sample = SAMPLES[key]
    content = (corpus / key).read_bytes()
    with translation.override("zh-hans"), pytest.raises(uploads.UploadRefused) as refused:
        uploads.inspect(sample.upload_name, io.BytesIO(content), len(content), limits=LIMITS)

    response = post_evidence(xuhui.client("teacher"), xuhui, sample.upload_name, content)

    assert response.status_code == 200  # the form again, never a server error
    page = response.content.decode()
    if content:
        assert escape(str(refused.value)) in page
    else:  # the form refuses an empty file before the content checks
        assert "所提交的是空文件" in page
    assert 'value="语料检查"' in page  # what the teacher typed is kept
    assert not Evidence.objects.all_bureaus().filter(title="语料检查").exists()
    assert stored_files(media) == []


@pytest.mark.django_db
@pytest.mark.parametrize("key", GOOD)
def test_a_valid_file_is_accepted_by_the_upload_page(xuhui, corpus, media, key):
    sample = SAMPLES[key]
    response = post_evidence(
        xuhui.client("teacher"), xuhui, sample.upload_name, (corpus / key).read_bytes()
    )

    assert response.status_code == 302
    stored = EvidenceFile.objects.all_bureaus().get(evidence__title="语料检查")
    assert stored.original_name == uploads.short_name(sample.upload_name)
    assert Path(stored.original_name).suffix == Path(sample.upload_name).suffix
    assert [p.name for p in stored_files(media)] == [Path(stored.file.name).name]


@pytest.mark.django_db
def test_the_help_text_shows_the_configured_limit(xuhui, settings):
    settings.EVIDENCE_MAX_FILE_MB = 7
    page = xuhui.client("teacher").get("/evidence/new/").content.decode()
    assert "每个不超过 7 MB" in page


# --- The size of a whole request ----------------------------------------------------------------


@pytest.mark.django_db
def test_an_oversize_request_is_refused_before_its_body_is_read(xuhui, media, settings):
    settings.UPLOAD_MAX_REQUEST_MB = 1
    client = xuhui.client("teacher")
    content = MINIMAL_PDF + b"%" + b"0" * (2 * MB)

    response = post_evidence(client, xuhui, "大文件.pdf", content)

    assert response.status_code == 413
    page = response.content.decode()
    assert "上传内容过大" in page and "一次最多可提交 1 MB" in page
    assert not Evidence.objects.all_bureaus().filter(title="语料检查").exists()
    assert stored_files(media) == []  # neither stored nor streamed to a temporary file


@pytest.mark.django_db
def test_a_body_of_unannounced_length_is_refused(xuhui, media):
    response = xuhui.client("teacher").generic(
        "POST",
        "/evidence/new/",
        b"x" * MB,
        content_type="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 413
    assert "上传内容过大" in response.content.decode()
    assert stored_files(media) == []


def test_the_upload_handler_stops_a_body_longer_than_the_limit(media, settings):
    """Behind the middleware: a body that turns out longer than allowed is not read to its end,
    and the request fails as a whole (no view sees part of it)."""
    from django.core.exceptions import RequestDataTooBig
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import RequestFactory

    settings.UPLOAD_MAX_REQUEST_MB = 1
    request = RequestFactory().post(
        "/evidence/new/",
        {
            "a": SimpleUploadedFile("a.pdf", b"0" * (MB // 2)),
            "b": SimpleUploadedFile("b.pdf", b"0" * MB),
        },
    )
    with pytest.raises(RequestDataTooBig):
        request.POST  # noqa: B018 - reading it parses the body
    assert request.upload_too_large
    import gc

    gc.collect()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_a_request_within_the_limit_passes(xuhui, media, settings):
    settings.UPLOAD_MAX_REQUEST_MB = 1
    response = post_evidence(xuhui.client("teacher"), xuhui, "教案.pdf", MINIMAL_PDF)
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_stored_file_is_served_as_an_attachment_without_sniffing(xuhui, media):
    post_evidence(xuhui.client("teacher"), xuhui, "教案.pdf", MINIMAL_PDF)
    stored = EvidenceFile.objects.all_bureaus().get(evidence__title="语料检查")
    response = xuhui.client("teacher").get(f"/evidence/{stored.evidence_id}/files/{stored.pk}/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
