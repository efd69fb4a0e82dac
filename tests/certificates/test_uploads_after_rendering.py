"""A process that rendered a certificate (WeasyPrint imported) still refuses a cut-off image on
upload: WeasyPrint lets Pillow load truncated images process-wide."""

from __future__ import annotations

import io

import pytest

from bureaus import uploads
from tests.uploads.make_corpus import jpeg


def test_a_truncated_jpeg_is_refused_after_weasyprint_was_imported():
    import weasyprint.images  # noqa: F401 - sets Pillow's LOAD_TRUNCATED_IMAGES
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    cut = jpeg(256, 256)[:1500]
    with pytest.raises(uploads.UploadRefused):
        uploads.inspect(
            "cut.jpg", io.BytesIO(cut), len(cut), limits=uploads.Limits(max_bytes=10_000_000)
        )
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # the renderer's setting is left as it was
