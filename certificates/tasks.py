"""The worker's side of certificates: each PDF made by an outbox job on the ``pdf`` queue."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bureaus.outbox import job


@job(_("Make a certificate's PDF"), queue="pdf")
def render_certificate(certificate_id: int, bureau_id: int) -> None:
    """Make (or make again) one certificate's PDF under its fixed storage key; idempotent: a
    second run writes the same bytes to the same key."""
    from .rendering import store_certificate_pdf

    store_certificate_pdf(certificate_id)
