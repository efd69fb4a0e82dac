"""Who may see which certificate and kind, and who may download a certificate's PDF. Views,
exports and panels go through these helpers; another bureau's certificate, or one the reader may
not see, is the same 404 as one that does not exist.

- The bureau's programme staff: every kind and certificate of the bureau (revoked ones included,
  for the record).
- A school administrator: the certificates issued to the teachers of their school; the PDF of a
  valid one.
- A teacher: their own certificates; the PDF only while the certificate is valid and made — a
  revoked certificate's PDF is no longer served to its holder.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.roles import Role
from accounts.services import administered_school_id

from .models import Certificate, CertificateBatch, CertificateKind, RenderState
from .selectors import downloadable_by_holder

VIEW = "view"
DOWNLOAD = "download"


def _in_bureau(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.bureau_id is not None


def is_staff(user) -> bool:
    return _in_bureau(user) and user.has_role(Role.BUREAU_STAFF)


def kinds_for_user(user) -> QuerySet[CertificateKind]:
    """The bureau's certificate kinds, for its programme staff; none for anyone else."""
    kinds = CertificateKind.objects.select_related("programme")
    if not is_staff(user):
        return kinds.none()
    return kinds.filter(bureau_id=user.bureau_id)


def get_kind_for_user(user, pk: int) -> CertificateKind:
    kind = kinds_for_user(user).filter(pk=pk).first()
    if kind is None:
        raise Http404
    return kind


def get_batch_for_user(user, pk: int) -> CertificateBatch:
    """A batch of the bureau, for its programme staff."""
    if not is_staff(user):
        raise Http404
    batch = (
        CertificateBatch.objects.select_related("kind__programme", "school", "requested_by")
        .filter(pk=pk, bureau_id=user.bureau_id)
        .first()
    )
    if batch is None:
        raise Http404
    return batch


def certificates_for_user(user) -> QuerySet[Certificate]:
    """Every certificate ``user`` may see: the bureau's for staff, their school's for a school
    administrator, their own for a teacher (a person with several roles sees the union)."""
    found = Certificate.objects.select_related(
        "kind", "school", "teacher__user", "replaced_by", "enrolment"
    )
    if not _in_bureau(user):
        return found.none()
    found = found.filter(bureau_id=user.bureau_id)
    if user.has_role(Role.BUREAU_STAFF):
        return found
    visible = Q(teacher__user=user)
    if user.has_role(Role.SCHOOL_ADMIN):
        school_id = administered_school_id(user)
        if school_id is not None:
            visible |= Q(school_id=school_id)
    return found.filter(visible)


def school_certificates_for_user(user) -> QuerySet[Certificate]:
    """The certificates of a school administrator's school; none for anyone else."""
    found = Certificate.objects.select_related("kind", "school", "teacher__user", "replaced_by")
    if not _in_bureau(user) or not user.has_role(Role.SCHOOL_ADMIN):
        return found.none()
    school_id = administered_school_id(user)
    if school_id is None:
        return found.none()
    return found.filter(bureau_id=user.bureau_id, school_id=school_id)


def may_download(user, certificate: Certificate) -> bool:
    if not certificate.file or certificate.render_state != RenderState.DONE:
        return False
    if is_staff(user):
        return True
    # The holder and their school: only while it is valid (a revoked one is no longer served).
    return downloadable_by_holder(certificate)


def get_certificate_for_user(user, pk: int, action: str = VIEW) -> Certificate:
    """A certificate ``user`` may see (``action="view"``) or whose PDF they may have
    (``action="download"``); anything else is the same 404."""
    certificate = certificates_for_user(user).filter(pk=pk).first()
    if certificate is None:
        raise Http404
    if action == DOWNLOAD and not may_download(user, certificate):
        raise Http404
    return certificate
