"""Evidence rules without a database: what a file must be, and who moves evidence where."""

import io
import mimetypes
import zipfile

import pytest
from django.utils import translation

from bureaus.files import FileRejected, check_file
from cohorts.rules import (
    Action,
    Reviewer,
    State,
    TransitionRefused,
    reviewer_of,
    transition,
)
from tests.uploads import make_corpus as corpus
from tests.uploads.samples import MINIMAL_PDF

MB = 1024 * 1024


def ooxml(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<doc/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, content",
    [
        ("教案.pdf", MINIMAL_PDF),
        ("照片.JPG", corpus.jpeg()),
        ("图.png", corpus.png()),
        ("报告.docx", ooxml("word/")),
        ("数据.xlsx", corpus.xlsx()),
        ("课件.pptx", corpus.pptx()),
    ],
)
def test_accepted_files(name, content):
    accepted = check_file(name, io.BytesIO(content), len(content), max_bytes=20 * MB)
    extension = "." + name.rsplit(".", 1)[-1].lower()
    assert accepted.extension == extension
    assert accepted.content_type == mimetypes.guess_type(f"x{extension}")[0]


@pytest.mark.parametrize(
    "name, wanted", [("旧版.doc", ".docx"), ("旧版.xls", ".xlsx"), ("旧版.ppt", ".pptx")]
)
def test_an_old_office_file_is_refused_with_the_format_to_save_it_in(name, wanted):
    with translation.override("zh-hans"), pytest.raises(FileRejected) as error:
        check_file(name, io.BytesIO(corpus.ole2()), len(corpus.ole2()), max_bytes=20 * MB)
    assert f"请另存为 {wanted} 后上传" in str(error.value)


def test_a_disguised_executable_is_refused():
    exe = b"MZ\x90\x00" + b"\x00" * 60
    with pytest.raises(FileRejected) as error:
        check_file("论文.pdf", io.BytesIO(exe), len(exe), max_bytes=20 * MB)
    assert "不是真正的 PDF 文件" in str(error.value)


def test_a_zip_renamed_docx_is_refused():
    content = ooxml("xl/")
    with pytest.raises(FileRejected):
        check_file("报告.docx", io.BytesIO(content), len(content), max_bytes=20 * MB)


def test_an_empty_file_is_refused():
    with pytest.raises(FileRejected) as error:
        check_file("空.pdf", io.BytesIO(b""), 0, max_bytes=20 * MB)
    assert "是空文件" in str(error.value)


def test_an_oversize_file_is_refused():
    with pytest.raises(FileRejected) as error:
        check_file("大.pdf", io.BytesIO(b"%PDF-"), 21 * MB, max_bytes=20 * MB)
    assert "21 MB" in str(error.value) and "20 MB" in str(error.value)


def test_other_extensions_are_refused():
    with pytest.raises(FileRejected) as error:
        check_file("run.exe", io.BytesIO(b"MZ"), 2, max_bytes=20 * MB)
    assert "只能上传" in str(error.value)


def test_review_goes_straight_to_the_bureau_by_default():
    assert (
        transition(State.DRAFT, Action.SUBMIT, by=None, level=1, school_review_first=False)
        == State.SUBMITTED
    )
    assert reviewer_of(State.SUBMITTED, 1, school_review_first=False) == Reviewer.BUREAU
    assert (
        transition(
            State.SUBMITTED, Action.APPROVE, by=Reviewer.BUREAU, level=1, school_review_first=False
        )
        == State.VERIFIED
    )
    with pytest.raises(TransitionRefused):
        transition(
            State.SUBMITTED, Action.APPROVE, by=Reviewer.SCHOOL, level=1, school_review_first=False
        )


def test_school_level_items_first_go_to_the_school_when_the_bureau_asks():
    assert reviewer_of(State.SUBMITTED, 1, school_review_first=True) == Reviewer.SCHOOL
    assert reviewer_of(State.SUBMITTED, 3, school_review_first=True) == Reviewer.BUREAU
    approved = transition(
        State.SUBMITTED, Action.APPROVE, by=Reviewer.SCHOOL, level=1, school_review_first=True
    )
    assert approved == State.SCHOOL_APPROVED
    assert (
        transition(approved, Action.APPROVE, by=Reviewer.BUREAU, level=1, school_review_first=True)
        == State.VERIFIED
    )
    with pytest.raises(TransitionRefused):
        transition(
            State.SUBMITTED, Action.APPROVE, by=Reviewer.BUREAU, level=1, school_review_first=True
        )


def test_returned_items_are_resubmitted_and_verified_ones_stay():
    assert (
        transition(State.RETURNED, Action.SUBMIT, by=None, level=3, school_review_first=False)
        == State.SUBMITTED
    )
    for state in (State.SUBMITTED, State.VERIFIED, State.SCHOOL_APPROVED):
        with pytest.raises(TransitionRefused):
            transition(state, Action.SUBMIT, by=None, level=3, school_review_first=False)
    with pytest.raises(TransitionRefused):
        transition(
            State.VERIFIED, Action.RETURN, by=Reviewer.BUREAU, level=3, school_review_first=False
        )


def test_review_as_needs_the_right_for_the_reviewer_the_rule_names():
    from cohorts.rules import ReviewRights, review_as

    bureau = ReviewRights(bureau=True)
    school_7 = ReviewRights(school_id=7)
    first = {"school_review_first": True}
    assert review_as(State.SUBMITTED, 1, 7, rights=bureau, **first) is None
    assert review_as(State.SUBMITTED, 1, 7, rights=school_7, **first) == Reviewer.SCHOOL
    assert review_as(State.SUBMITTED, 1, 8, rights=school_7, **first) is None
    assert review_as(State.SCHOOL_APPROVED, 1, 7, rights=bureau, **first) == Reviewer.BUREAU
    assert review_as(State.SUBMITTED, 3, 7, rights=school_7, **first) is None
    assert review_as(State.DRAFT, 3, 7, rights=bureau, **first) is None
    assert review_as(State.SUBMITTED, 1, 7, rights=bureau, school_review_first=False) == (
        Reviewer.BUREAU
    )
    assert review_as(State.SUBMITTED, 1, None, rights=ReviewRights(), **first) is None
