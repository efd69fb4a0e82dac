"""The one PDF renderer: staff-edited certificate templates rendered with WeasyPrint.

- Templates use a restricted language: Django's template syntax with only ``if`` and ``for``
  tags, a few filters and the safe fields below; ``check_template`` refuses anything else, with
  the error, when staff save a template — never at issue time.
- WeasyPrint fetches only the project's static files and the seals of the certificate's own
  kind (``PortalFetcher``); everything else — the web, ``file:`` paths — is refused.
- One ``FontConfiguration`` per process and each stylesheet parsed once: a fresh font
  configuration per call makes a worker's memory swing to a gigabyte.
- The same certificate renders to the same bytes: the PDF's dates are the issue date and it
  carries no trailer identifier (pydyf computes one by compressing every stream a second time,
  a tenth of a certificate's render, and nothing that reads a certificate needs it).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import threading
from collections import OrderedDict
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import prefetch_related_objects
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

DEFAULTS = Path(__file__).resolve().parent / "default_templates"
BASE_URL = "https://portal.invalid/"  # what relative URLs in a template resolve against
STATIC_PREFIX = BASE_URL + "static/"
SEAL_PREFIX = BASE_URL + "seal/"

# What a template may print (the admin's help lists them).
SAFE_FIELDS = {
    "holder_name": "持证人姓名",
    "programme": "项目名称",
    "title": "证书名称",
    "number": "证书编号",
    "issued_on": "发证日期（2026年7月20日）",
    "start": "培养周期开始（2023年9月）",
    "end": "培养周期结束（2026年6月）",
    "hours": "学时",
    "credits": "学分",
    "result": "考核结果",
    "years": "班主任工作年限",
    "school": "所在学校",
    "part": "培训项目（项目中的一项任务）",
    "bureau_name": "发证单位",
    "code": "验证码",
    "qr": "二维码（扫码验证）",
    "signatories": "签发人列表：每项有 name、title、seal",
}
ALLOWED_TAGS = {"if", "elif", "else", "endif", "for", "empty", "endfor"}
ALLOWED_FILTERS = {"default", "linebreaksbr", "upper", "lower", "length", "first", "last"}
_TAG = re.compile(r"{%-?\s*(\w+)")
_VARIABLE = re.compile(r"{{\s*([^}|]*?)\s*(\|[^}]*)?}}")
_FOR = re.compile(r"{%\s*for\s+([\w\s,]+?)\s+in\s")
_FILTER = re.compile(r"\|\s*(\w+)")
_CONDITION = re.compile(r"{%\s*(?:if|elif)\s+([^%]*)%}")
_NAME = re.compile(r"[A-Za-z_][\w.]*")
_CONDITION_WORDS = {"and", "or", "not", "in", "is", "None", "True", "False"}

ENGINE = Engine(
    loaders=[],  # nothing to include or extend
    libraries={},
    builtins=[],  # the default tags and filters only (Engine adds them)
    autoescape=True,
    string_if_invalid="",
)


class TemplateProblem(ValidationError):
    """A template staff wrote that cannot be used, with the reason."""


def _refuse(message: str) -> TemplateProblem:
    return TemplateProblem(message, code="template")


def check_template(html: str, css: str = "") -> None:
    """Refuse a template that uses anything outside the safe language or fails to render with
    a demo holder; raises ``TemplateProblem`` with the reason in the staff's language."""
    names_in_loops: set[str] = set()
    for match in _FOR.finditer(html):
        names_in_loops.update(n.strip() for n in match.group(1).split(",") if n.strip())
    allowed_roots = set(SAFE_FIELDS) | names_in_loops | {"forloop"}
    for match in _TAG.finditer(html):
        if match.group(1) not in ALLOWED_TAGS:
            raise _refuse(
                _("The tag {%% %(tag)s %%} is not allowed; templates may use if and for only.")
                % {"tag": match.group(1)}
            )
    for match in _VARIABLE.finditer(html):
        root = match.group(1).split(".")[0].strip()
        if root and root not in allowed_roots:
            raise _refuse(
                _("%(name)s is not a field a certificate can print. The fields: %(fields)s.")
                % {"name": root, "fields": "、".join(SAFE_FIELDS)}
            )
        for name in _FILTER.findall(match.group(2) or ""):
            if name not in ALLOWED_FILTERS:
                raise _refuse(
                    _("The filter %(name)s is not allowed; allowed: %(filters)s.")
                    % {"name": name, "filters": "、".join(sorted(ALLOWED_FILTERS))}
                )
    for match in _CONDITION.finditer(html):
        for word in _NAME.findall(match.group(1)):
            if word not in _CONDITION_WORDS and word.split(".")[0] not in allowed_roots:
                raise _refuse(
                    _("%(name)s is not a field a certificate can print. The fields: %(fields)s.")
                    % {"name": word, "fields": "、".join(SAFE_FIELDS)}
                )
    if "<script" in html.lower():
        raise _refuse(_("Templates may not contain scripts."))
    try:
        template = ENGINE.from_string(html)
        template.render(Context(sample_context()))
    except TemplateSyntaxError as error:
        raise _refuse(_("The template cannot be read: %(error)s") % {"error": error}) from error
    try:
        document = _pdf(
            _document_html(html_body=template.render(Context(sample_context())), css=css),
            css=css,
        )
    except Exception as error:  # WeasyPrint's own errors: the staff must see them on save
        raise _refuse(_("The template cannot be rendered: %(error)s") % {"error": error}) from error
    if len(document.pages) != 1:
        raise _refuse(
            _("With the demo holder the certificate takes %(pages)s pages; it must fit on one.")
            % {"pages": len(document.pages)}
        )


def chinese_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def chinese_month(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月" if day else ""


QR_PREFIX = BASE_URL + "qr/"
# One fixed mask pattern: choosing the "best" of eight costs a quarter of a certificate's render
# and any mask reads the same to a scanner.
QR_MASK = 4


def _qr(text: str):
    import segno

    return segno.make(text, error="m", micro=False, mask=QR_MASK)


def qr_svg(text: str) -> str:
    """The QR code as inline SVG (segno), sized by the template's CSS."""
    return _qr(text).svg_inline(scale=1, border=2, dark="#000", light=None, omitsize=True)


def qr_png(text: str) -> bytes:
    """The QR code as a one-bit PNG, a pixel a module: for print runs, where WeasyPrint places an
    image in a fraction of the time it takes to draw the SVG's thousands of path segments. Drawn
    without interpolation (``image-rendering: pixelated``) it prints as sharp as the SVG."""
    import io

    buffer = io.BytesIO()
    _qr(text).save(buffer, kind="png", scale=1, border=2)
    return buffer.getvalue()


def qr_image_tag(key: str) -> str:
    return mark_safe(
        f'<img src="{QR_PREFIX}{key}" alt="" '
        'style="image-rendering: pixelated; display: block; margin: 0 auto 1mm">'
    )


def sample_context() -> dict:
    """A demo holder for the admin's preview and the check on save (rare characters included)."""
    return {
        "holder_name": "王喆堃",
        "programme": "徐汇区中青年骨干教师培养工程（2023—2026）",
        "title": "结业证书",
        "number": "徐教师培〔2026〕第0001号",
        "issued_on": chinese_date(dt.date(2026, 7, 20)),
        "start": "2023年9月",
        "end": "2026年6月",
        "hours": "120",
        "credits": "12",
        "result": "合格",
        "years": "20",
        "school": "上海市第一示范中学",
        "part": "区级集中培训",
        "bureau_name": "上海市徐汇区教育局",
        "code": "K7M3Q9XW4R",
        "qr": mark_safe(qr_svg("https://portal.example/v/K7M3Q9XW4R/")),
        "signatories": [{"name": "张彧", "title": "上海市徐汇区教育局", "seal": ""}],
    }


def certificate_context(certificate, *, qr_images: dict[str, bytes] | None = None) -> dict:
    """What the template prints for one certificate: the snapshot taken at issue, the QR code
    and the signatories of its kind. With ``qr_images`` (a print run) the QR code is a PNG put
    there for the fetcher; otherwise inline SVG."""
    from .signing import qr_text

    fields = certificate.fields or {}
    signatories = [
        {
            "name": s.name,
            "title": s.title,
            "seal": f"{SEAL_PREFIX}{s.pk}" if s.seal else "",
        }
        for s in certificate.kind.signatories.all()
    ]
    return {
        "holder_name": certificate.holder_name,
        "programme": certificate.programme_name,
        "title": certificate.title,
        "number": certificate.number,
        "issued_on": chinese_date(certificate.issued_on),
        "start": fields.get("start", ""),
        "end": fields.get("end", ""),
        "hours": fields.get("hours", ""),
        "credits": fields.get("credits", ""),
        "result": fields.get("result", ""),
        "years": fields.get("years", ""),
        "school": fields.get("school", ""),
        "part": fields.get("part", ""),
        "bureau_name": fields.get("bureau_name", ""),
        "code": certificate.code,
        "qr": _qr_for(certificate, qr_text(certificate), qr_images),
        "signatories": signatories,
    }


def _qr_for(certificate, text: str, qr_images: dict[str, bytes] | None) -> str:
    if qr_images is None:
        return mark_safe(qr_svg(text))
    qr_images[certificate.code] = qr_png(text)
    return qr_image_tag(certificate.code)


# --- WeasyPrint ---------------------------------------------------------------------------------

_lock = threading.Lock()
_font_config = None
_stylesheets: OrderedDict[str, object] = OrderedDict()
_STYLESHEETS_KEPT = 16


def font_configuration():
    """The process's one FontConfiguration (fonts are found and loaded once)."""
    global _font_config
    if _font_config is None:
        with _lock:
            if _font_config is None:
                from weasyprint.text.fonts import FontConfiguration

                _font_config = FontConfiguration()
    return _font_config


def _stylesheet(css: str):
    """A template's CSS, parsed once per process (a few kinds in use at a time)."""
    key = hashlib.sha256(css.encode("utf-8")).hexdigest()
    with _lock:
        sheet = _stylesheets.get(key)
        if sheet is not None:
            _stylesheets.move_to_end(key)
            return sheet
    from weasyprint import CSS

    sheet = CSS(
        string=css,
        base_url=BASE_URL,
        font_config=font_configuration(),
        url_fetcher=PortalFetcher(),
    )
    with _lock:
        _stylesheets[key] = sheet
        while len(_stylesheets) > _STYLESHEETS_KEPT:
            _stylesheets.popitem(last=False)
    return sheet


@functools.lru_cache(maxsize=16)
def _template(html: str):
    """A kind's template, compiled once per process (a few kinds in use at a time)."""
    return ENGINE.from_string(html)


class _Refused(ValueError):
    pass


def PortalFetcher(  # noqa: N802 - a class factory
    seals: dict[int, object] | None = None, qr_images: dict[str, bytes] | None = None
):
    """A URL fetcher that reaches only the project's static files, the given seals and the QR
    images made for this document."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Fetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=["https"], allow_redirects=False)
            self.seals = seals or {}
            self.qr_images = qr_images or {}

        def fetch(self, url, headers=None):
            if url.startswith(STATIC_PREFIX):
                relative = url[len(STATIC_PREFIX) :].split("?")[0].split("#")[0]
                if ".." in relative.split("/"):
                    raise _Refused(f"refused: {url}")
                found = finders.find(relative)
                if not found:
                    raise _Refused(f"no such static file: {relative}")
                return URLFetcherResponse(url, Path(found).read_bytes())
            if url.startswith(SEAL_PREFIX):
                try:
                    signatory = self.seals[int(url[len(SEAL_PREFIX) :])]
                except (KeyError, ValueError) as error:
                    raise _Refused(f"refused: {url}") from error
                with signatory.seal.open("rb") as handle:
                    return URLFetcherResponse(url, handle.read())
            if url.startswith(QR_PREFIX) and url[len(QR_PREFIX) :] in self.qr_images:
                return URLFetcherResponse(
                    url,
                    self.qr_images[url[len(QR_PREFIX) :]],
                    headers={"Content-Type": "image/png"},
                )
            raise _Refused(f"refused: {url}")

    return Fetcher()


def _document_html(
    *, html_body: str, css: str, created: dt.date | None = None, extra_css: str = ""
) -> str:
    stamp = (created or dt.date(2000, 1, 1)).isoformat()
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="dcterms.created" content="{stamp}">'
        f'<meta name="dcterms.modified" content="{stamp}">'
        f"<style>{_base_css()}{extra_css}</style>"
        f"</head><body>{html_body}</body></html>"
    )


def _base_css() -> str:
    # AR PL UKai (楷体) first: a certificate's face, and a TrueType font whose glyph ids stay
    # small, so the subset WeasyPrint keeps (it retains glyph ids) is ~25 KB, where Noto CJK's
    # 65,000-glyph font makes ~150 KB a weight. Noto fills any character UKai lacks.
    return (
        '@page { size: A4 landscape; margin: 0 } html { font-family: "AR PL UKai CN", '
        '"Noto Serif CJK SC", "Noto Sans CJK SC", serif }'
    )


def _pdf(
    document_html: str,
    *,
    css: str = "",
    seals=None,
    qr_images: dict[str, bytes] | None = None,
):
    """The laid-out document (``write_pdf()`` makes its bytes)."""
    from weasyprint import HTML

    fetcher = PortalFetcher(seals, qr_images)
    return HTML(string=document_html, base_url=BASE_URL, url_fetcher=fetcher).render(
        stylesheets=[_stylesheet(css)] if css else None, font_config=font_configuration()
    )


def render_html(html: str, context: dict) -> str:
    return _template(html).render(Context(context))


def render_pdf(certificate) -> bytes:
    """One certificate's PDF, the same bytes every time."""
    kind = certificate.kind
    body = render_html(kind.template_html, certificate_context(certificate))
    seals = {s.pk: s for s in kind.signatories.all() if s.seal}
    return _write(body, css=kind.template_css, seals=seals, created=certificate.issued_on)


def _write(body: str, *, css: str, seals, created) -> bytes:
    document = _pdf(_document_html(html_body=body, css=css, created=created), css=css, seals=seals)
    return document.write_pdf()


def render_preview(html: str, css: str, *, signatories=()) -> bytes:
    """The admin's live preview: the template with the demo holder."""
    check_template(html, css)
    context = sample_context()
    seals = {s.pk: s for s in signatories if getattr(s, "seal", None) and s.pk}
    if signatories:
        context["signatories"] = [
            {
                "name": s.name,
                "title": s.title,
                "seal": f"{SEAL_PREFIX}{s.pk}" if s.pk in seals else "",
            }
            for s in signatories
        ]
    return _write(
        render_html(html, context),
        css=css,
        seals=seals,
        created=dt.date(2026, 7, 20),
    )


def render_many(certificates) -> bytes:
    """One multi-page PDF of several certificates, for printing. Certificates of one kind are
    laid out as one document, a page each (one layout, the fonts and seals loaded once: a
    fraction of rendering them one by one); kinds follow each other in the order given."""
    groups: dict[int, list] = {}
    for certificate in certificates:
        groups.setdefault(certificate.kind_id, []).append(certificate)
    documents = []
    for group in groups.values():
        kind = group[0].kind
        prefetch_related_objects([kind], "signatories")  # read once, not once a page
        for certificate in group:
            certificate.kind = kind
        template = _template(kind.template_html)
        qr_images: dict[str, bytes] = {}
        body = "".join(
            '<section class="print-page">'
            f"{template.render(Context(certificate_context(c, qr_images=qr_images)))}</section>"
            for c in group
        )
        seals = {s.pk: s for s in kind.signatories.all() if s.seal}
        document = _pdf(
            _document_html(
                html_body=body,
                css=kind.template_css,
                created=max(c.issued_on for c in group),
                extra_css=".print-page + .print-page { break-before: page }",
            ),
            css=kind.template_css,
            seals=seals,
            qr_images=qr_images,
        )
        documents.append(document)
    if not documents:
        return b""
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def default_template(certificate_type: str) -> tuple[str, str]:
    """The default template (HTML, CSS) of a type of certificate, for a new kind."""
    html = (DEFAULTS / f"{certificate_type}.html").read_text(encoding="utf-8")
    css = (DEFAULTS / "certificate.css").read_text(encoding="utf-8")
    return html, css


# --- The worker's job ---------------------------------------------------------------------------


def certificate_for_render(certificate_id: int):
    """The certificate with what its PDF needs (its kind and the kind's signatories), or None."""
    from .models import Certificate

    return (
        Certificate.objects.select_related("kind")
        .prefetch_related("kind__signatories")
        .filter(pk=certificate_id)
        .first()
    )


def store_certificate_pdf(certificate_id: int) -> str:
    """Make one certificate's PDF and store it under its fixed key (the same key and bytes on
    every run). Returns what happened, for the outbox's record."""
    certificate = certificate_for_render(certificate_id)
    return "gone" if certificate is None else store_pdf(certificate)


def store_pdf(certificate) -> str:
    """``store_certificate_pdf`` for a certificate already read with ``certificate_for_render``."""
    from .models import Certificate, RenderState, certificate_path

    try:
        data = render_pdf(certificate)
    except Exception:
        Certificate.objects.filter(pk=certificate.pk).update(render_state=RenderState.FAILED)
        raise
    digest = hashlib.sha256(data).hexdigest()
    if certificate.render_state == RenderState.DONE and certificate.sha256 == digest:
        return "unchanged"
    name = certificate_path(certificate)
    storage = Certificate._meta.get_field("file").storage
    storage.delete(name)  # the fixed key: the new bytes replace the old (nothing there is fine)
    saved = storage.save(name, ContentFile(data))
    Certificate.objects.filter(pk=certificate.pk).update(
        file=saved,
        size=len(data),
        sha256=digest,
        render_state=RenderState.DONE,
        rendered_at=timezone.now(),
    )
    return "made"
