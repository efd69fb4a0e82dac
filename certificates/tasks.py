"""The worker's side of certificates: each PDF made by an outbox job on the ``pdf`` queue, and
the batches that issue every certificate due."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bureaus.outbox import job


@job(_("Make a certificate's PDF"), queue="pdf")
def render_certificate(certificate_id: int, bureau_id: int) -> str:
    """Make (or make again) one certificate's PDF under its fixed storage key; idempotent: a
    second run writes the same bytes to the same key."""
    from .batches import batch_finish_if_done
    from .rendering import certificate_for_render, store_pdf

    certificate = certificate_for_render(certificate_id)
    if certificate is None:
        return "gone"
    outcome = store_pdf(certificate)
    # The last PDF of a batch marks the batch finished.
    if certificate.batch_id is not None:
        batch_finish_if_done(certificate.batch_id)
    return outcome


@job(_("Issue a batch of certificates"), queue="pdf")
def issue_batch(batch_id: int, bureau_id: int) -> int:
    """Issue every certificate of the batch still due, chunk by chunk; run again after a killed
    worker, it goes on where it stopped (``batches.batch_issue``)."""
    from .batches import batch_issue

    return batch_issue(batch_id)
