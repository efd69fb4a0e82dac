"""The one PDF renderer: a Chinese font embedded and subset by libharfbuzz-subset, rare characters
in names drawn as real glyphs, user text escaped, nothing fetched but the portal's static files
and the kind's seals, the same bytes on every run, under a fixed key, through the outbox."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from bureaus import outbox
from bureaus.models import OutboxJob
from bureaus.tenancy import bureau_scope
from certificates import rendering
from certificates.models import (
    Certificate,
    CertificateKind,
    CertificateType,
    RenderState,
    Signatory,
    certificate_path,
)
from certificates.services import certificate_issue

SEAL = Path(__file__).resolve().parents[2] / "fixtures" / "seals" / "xuhui.png"
RARE = "喆堃璟彧犇"

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdffonts") and shutil.which("pdftoppm")),
    reason="poppler-utils (pdffonts, pdftoppm) is not installed",
)


def make_kind(cast, **overrides) -> CertificateKind:
    html, css = rendering.default_template(overrides.pop("type", CertificateType.COMPLETION))
    with bureau_scope(cast.bureau):
        kind = CertificateKind.objects.create(
            bureau=cast.bureau,
            programme=cast.programme,
            type=CertificateType.COMPLETION,
            title=overrides.pop("title", "结业证书"),
            number_format="徐教师培〔{year}〕第{seq:04d}号",
            issue_date=dt.date(2026, 7, 20),
            template_html=overrides.pop("template_html", html),
            template_css=overrides.pop("template_css", css),
            **overrides,
        )
        signatory = Signatory(
            bureau=cast.bureau, kind=kind, name="张彧", title="上海市徐汇区教育局"
        )
        signatory.seal.save("xuhui.png", ContentFile(SEAL.read_bytes()), save=True)
    return kind


def issue(cast, kind, *, name: str | None = None) -> Certificate:
    profile = cast.teacher.teacher_profile
    if name is not None:
        cast.teacher.full_name = name
        cast.teacher.save(update_fields=["full_name"])
    with bureau_scope(cast.bureau):
        return certificate_issue(
            actor=cast.staff,
            kind=kind,
            teacher=profile,
            enrolment=cast.extras["enrolment_backbone"],
            fields={"start": "2023年9月", "end": "2026年6月", "result": "合格"},
            checked=False,
        )


def pdffonts(data: bytes, tmp_path) -> list[dict]:
    path = tmp_path / "c.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = []
    for line in out.stdout.splitlines()[2:]:
        parts = line.split()
        # name, type words..., encoding, emb, sub, uni, object, generation
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def ink(png: bytes) -> tuple[int, bytes]:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("1")
    pixels = image.tobytes()
    return sum(bin(byte).count("1") for byte in pixels), pixels


def raster(data: bytes, tmp_path, name: str) -> bytes:
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-singlefile", str(pdf), str(tmp_path / name)],
        check=True,
    )
    return (tmp_path / f"{name}.png").read_bytes()


# --- Fonts ----------------------------------------------------------------------------------------


@needs_poppler
def test_a_certificate_embeds_a_subset_chinese_font_and_stays_under_150_kb(xuhui, tmp_path):
    kind = make_kind(xuhui)
    certificate = issue(xuhui, kind, name=f"王{RARE}")
    with bureau_scope(xuhui.bureau):
        data = rendering.render_pdf(certificate)
    fonts = pdffonts(data, tmp_path)
    cjk = [f for f in fonts if "UKai" in f["name"] or "CJK" in f["name"]]
    assert cjk, fonts
    assert all(f["emb"] == "yes" and f["sub"] == "yes" and f["uni"] == "yes" for f in cjk)
    assert len(data) < 150 * 1024, len(data)


def test_libharfbuzz_subset_is_what_subsets_the_font(xuhui, monkeypatch):
    """Without libharfbuzz-subset WeasyPrint falls back to fontTools, ~60x slower: fail if it
    is ever taken."""
    from weasyprint.pdf import fonts

    assert fonts.harfbuzz_subset, "libharfbuzz-subset0 is not installed"

    def refuse(*args, **kwargs):
        raise AssertionError("fontTools subsetting was used instead of libharfbuzz-subset")

    monkeypatch.setattr(fonts.Font, "_fonttools_subset", refuse)
    used = []
    original = fonts.Font._harfbuzz_subset

    def spy(self, *args, **kwargs):
        used.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(fonts.Font, "_harfbuzz_subset", spy)
    kind = make_kind(xuhui)
    certificate = issue(xuhui, kind, name=f"王{RARE}")
    with bureau_scope(xuhui.bureau):
        rendering.render_pdf(certificate)
    assert used


@needs_poppler
def test_rare_characters_in_names_are_drawn_as_glyphs(xuhui, tmp_path):
    """Each of 喆堃璟彧犇, drawn alone and large, inks the page and differs from the others and
    from a character no font has (which every font draws as the same empty box)."""
    html = '<p style="font-size: 150pt; margin: 10mm">{{ holder_name }}</p>'
    kind = make_kind(xuhui, title="测试证书", template_html=html, template_css="")
    certificate = issue(xuhui, kind)
    images = {}
    with bureau_scope(xuhui.bureau):
        for char in [*RARE, "\U0010fffd"]:
            certificate.holder_name = char
            images[char] = ink(raster(rendering.render_pdf(certificate), tmp_path, f"c{ord(char)}"))
    missing = images.pop("\U0010fffd")
    for char, (count, pixels) in images.items():
        assert count > 200, f"{char} drew nothing"
        assert pixels != missing[1], f"{char} is drawn as the missing-glyph box"
    assert len({pixels for _count, pixels in images.values()}) == len(RARE)


def test_the_font_configuration_and_stylesheets_are_made_once_per_process(xuhui):
    kind = make_kind(xuhui)
    first = rendering.font_configuration()
    sheet = rendering._stylesheet(kind.template_css)
    certificate = issue(xuhui, kind)
    with bureau_scope(xuhui.bureau):
        rendering.render_pdf(certificate)
        rendering.render_pdf(certificate)
    assert rendering.font_configuration() is first
    assert rendering._stylesheet(kind.template_css) is sheet


# --- Safety -------------------------------------------------------------------------------------


def test_user_text_is_escaped(xuhui):
    kind = make_kind(xuhui)
    certificate = issue(xuhui, kind, name='<img src="https://evil.example/x.png">李<script>')
    with bureau_scope(xuhui.bureau):
        html = rendering.render_html(kind.template_html, rendering.certificate_context(certificate))
    assert "<script>" not in html
    assert "&lt;img src=&quot;https://evil.example/x.png&quot;&gt;李&lt;script&gt;" in html


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/seal.png",
        "http://127.0.0.1:8000/admin/",
        "file:///etc/passwd",
        "https://portal.invalid/static/../../config/settings.py",
        "https://portal.invalid/media/seals/1/other.png",
        "https://portal.invalid/seal/999999",
        "data:image/png;base64,iVBORw0KGgo=",
    ],
)
def test_the_fetcher_refuses_everything_but_static_files_and_the_kinds_seals(url):
    with pytest.raises(ValueError):
        rendering.PortalFetcher({})(url)


def test_the_fetcher_reaches_static_files_and_the_kinds_own_seal(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        signatory = kind.signatories.get()
        fetcher = rendering.PortalFetcher({signatory.pk: signatory})
        seal = fetcher(f"{rendering.SEAL_PREFIX}{signatory.pk}")
    assert _body(seal).startswith(b"\x89PNG")
    static = rendering.PortalFetcher({})(f"{rendering.STATIC_PREFIX}css/portal.css")
    assert _body(static)


def _body(response) -> bytes:
    return response.read()


def test_a_template_pointing_at_another_address_renders_without_it(xuhui, caplog):
    html = (
        '<p>{{ holder_name }}</p><img src="file:///etc/passwd">'
        '<img src="https://evil.example/x.png">'
    )
    kind = make_kind(xuhui, title="测试证书", template_html=html, template_css="")
    certificate = issue(xuhui, kind)
    with bureau_scope(xuhui.bureau):
        data = rendering.render_pdf(certificate)
    assert data.startswith(b"%PDF")
    assert "root:" not in data.decode("latin-1")


@pytest.mark.parametrize(
    ("html", "css", "says"),
    [
        ("{% load static %}{{ holder_name }}", "", "not allowed"),
        ('{% include "admin/base.html" %}', "", "not allowed"),
        ("{% debug %}", "", "not allowed"),
        ("{{ settings.SECRET_KEY }}", "", "not a field"),
        ("{{ holder_name|safe }}", "", "not allowed"),
        ("{% if request.user %}x{% endif %}", "", "not a field"),
        ("<script>alert(1)</script>", "", "scripts"),
        ("{% if holder_name %}unclosed", "", "cannot be read"),
        ('<div style="page-break-after: always">a</div><div>b</div>', "", "one"),
    ],
)
def test_a_template_that_cannot_be_used_is_refused_with_the_reason(html, css, says):
    with pytest.raises(rendering.TemplateProblem) as refused:
        rendering.check_template(html, css)
    assert says in str(refused.value.messages[0])


@pytest.mark.parametrize("certificate_type", list(CertificateType.values))
def test_the_default_templates_pass_the_check(certificate_type):
    html, css = rendering.default_template(certificate_type)
    rendering.check_template(html, css)


def test_the_preview_renders_the_demo_holder(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        data = rendering.render_preview(
            kind.template_html, kind.template_css, signatories=list(kind.signatories.all())
        )
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "结业证书" in text.replace(" ", "")


# --- Reproducible, fixed key, through the outbox -------------------------------------------------


def test_the_same_certificate_renders_to_the_same_bytes(xuhui):
    kind = make_kind(xuhui)
    certificate = issue(xuhui, kind, name=f"王{RARE}")
    with bureau_scope(xuhui.bureau):
        first = rendering.render_pdf(certificate)
        assert first == rendering.render_pdf(certificate)
    # Without a trailer /ID: pydyf makes one by compressing every stream a second time, a tenth
    # of the render (bench/README.md), and the bytes are the same without it.
    assert b"/ID [" not in first


def test_the_pdf_is_made_by_an_outbox_job_on_the_pdf_queue_and_a_second_run_changes_nothing(
    xuhui, django_capture_on_commit_callbacks
):
    kind = make_kind(xuhui)
    with django_capture_on_commit_callbacks(execute=False):
        certificate = issue(xuhui, kind)
    with bureau_scope(xuhui.bureau):
        job = OutboxJob.objects.get(task="certificates.tasks.render_certificate")
        assert job.args == [certificate.pk, xuhui.bureau.pk]
        assert outbox.run(job.pk, xuhui.bureau.pk) == "done"
        certificate.refresh_from_db()
        assert certificate.render_state == RenderState.DONE
        assert certificate.file.name == certificate_path(certificate)
        first = certificate.file.open("rb").read()
        assert certificate.size == len(first) and first.startswith(b"%PDF")
        digest = certificate.sha256

        # A retry, a duplicate message or a rerun after a killed worker: the same key and bytes.
        assert rendering.store_certificate_pdf(certificate.pk) == "unchanged"
        Certificate.objects.filter(pk=certificate.pk).update(render_state=RenderState.PENDING)
        assert rendering.store_certificate_pdf(certificate.pk) == "made"
        certificate.refresh_from_db()
        assert certificate.file.name == certificate_path(certificate)
        assert certificate.sha256 == digest
        assert certificate.file.open("rb").read() == first


def test_a_job_for_a_certificate_that_is_gone_does_nothing(xuhui):
    with bureau_scope(xuhui.bureau):
        assert rendering.store_certificate_pdf(987654) == "gone"


def test_a_failed_render_marks_the_certificate_and_the_job_retries(xuhui, monkeypatch):
    kind = make_kind(xuhui)
    certificate = issue(xuhui, kind)

    def broken(certificate):
        raise RuntimeError("the renderer broke")

    monkeypatch.setattr(rendering, "render_pdf", broken)
    with bureau_scope(xuhui.bureau):
        job = OutboxJob.objects.get(task="certificates.tasks.render_certificate")
        assert outbox.run(job.pk, xuhui.bureau.pk) == "retry"
        certificate.refresh_from_db()
        assert certificate.render_state == RenderState.FAILED
        assert not certificate.file


def test_a_print_run_is_one_pdf_with_a_page_per_certificate_in_order(xuhui):
    from pypdf import PdfReader

    kind = make_kind(xuhui)
    names = ["甲喆", "乙堃", "丙璟"]
    certificates = []
    for name in names:
        certificates.append(issue(xuhui, kind, name=name))
        with bureau_scope(xuhui.bureau):
            Certificate.objects.filter(pk=certificates[-1].pk).update(status="revoked")
    with bureau_scope(xuhui.bureau):
        fresh = list(
            Certificate.objects.filter(pk__in=[c.pk for c in certificates])
            .select_related("kind")
            .order_by("seq")
        )
        data = rendering.render_many(fresh)
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) == len(names)
    for page, name, certificate in zip(pages, names, fresh, strict=True):
        text = page.extract_text().replace(" ", "")
        assert name in text and certificate.number in text
    assert rendering.render_many([]) == b""


@pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbar-tools (zbarimg) is not installed")
def test_the_qr_code_on_the_paper_reads_back_and_checks_against_the_public_key(xuhui, tmp_path):
    """Printed and scanned at 150 dpi, the QR code gives the verification address and a payload
    whose signature holds with the bureau's public key: the paper checks without the portal."""
    from certificates import signing

    kind = make_kind(xuhui)
    certificate = issue(xuhui, kind, name=f"王{RARE}")
    with bureau_scope(xuhui.bureau):
        data = rendering.render_pdf(certificate)
        public = bytes(certificate.signing_key.public_key)
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "scan")],
        check=True,
    )
    scanned = subprocess.run(
        ["zbarimg", "-q", "--raw", str(tmp_path / "scan.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert f"/v/{certificate.code}/#" in scanned
    payload = signing.verify_qr_text(scanned, public)
    assert payload is not None and payload.holder_name == f"王{RARE}"


def test_the_benchmark_runs_at_a_small_size():
    """bench/bench_certificates.py at a tiny size: it runs and reports (not the goals)."""
    import os
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "BENCH_SCALE": "0.005", "BENCH_NO_EXIT_STATUS": "1"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, str(root / "bench" / "bench_certificates.py")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "the task, per certificate" in done.stdout and "print run" in done.stdout


def test_a_print_run_reads_the_signatories_once_whatever_the_pages(
    xuhui, django_assert_max_num_queries
):
    kind = make_kind(xuhui)
    for n in range(4):
        certificate = issue(xuhui, kind, name=f"教师{n}")
        with bureau_scope(xuhui.bureau):  # one valid certificate a holder: make room for the next
            Certificate.objects.filter(pk=certificate.pk).update(status="revoked")
    with bureau_scope(xuhui.bureau):
        certificates = list(Certificate.objects.filter(kind=kind).select_related("kind"))
        with django_assert_max_num_queries(1):
            rendering.render_many(certificates)
