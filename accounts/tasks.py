"""Background work on people: e-mailing notifications (outbox jobs) and clearing sessions."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from celery import shared_task
from django.core import mail
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bureaus import outbox
from bureaus.tenancy import bureau_scope

logger = logging.getLogger(__name__)

# A claim older than this belongs to a run that died while sending; the e-mail may be retried.
EMAIL_CLAIM_SECONDS = 60

# Errors after which sending the same e-mail again cannot succeed: the address is refused.
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused,)


def _claim(notification_id: int) -> bool:
    from .models import Notification

    now = timezone.now()
    unclaimed = Q(email_claimed_at__isnull=True) | Q(
        email_claimed_at__lte=now - dt.timedelta(seconds=EMAIL_CLAIM_SECONDS)
    )
    return bool(
        Notification.objects.filter(
            unclaimed, pk=notification_id, emailed_at__isnull=True, email_error=""
        ).update(email_claimed_at=now)
    )


def _send(notification_id: int, message: mail.EmailMessage) -> bool:
    """Send one claimed e-mail; mark it sent only after the mail server took it.

    A refused address is recorded and not tried again; any other failure releases the claim and
    is raised, so the outbox runs the job again later.
    """
    from .models import Notification

    mine = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True)
    try:
        message.send()
    except PERMANENT_ERRORS as error:
        logger.warning("notification %s: address refused (%s)", notification_id, error)
        mine.update(email_error=str(error)[:300], email_claimed_at=None)
        return False
    except Exception:
        mine.update(email_claimed_at=None)
        raise
    mine.update(emailed_at=timezone.now())
    return True


@outbox.job(_("E-mail a notification"))
def deliver_notification_email(notification_id: int, bureau_id: int) -> str:
    """E-mail one notification, once."""
    from .models import Notification

    with bureau_scope(bureau_id):
        if not _claim(notification_id):
            return "already sent or gone"
        notification = Notification.objects.select_related("recipient").get(pk=notification_id)
        address = notification.recipient.email
        if not address:
            Notification.objects.filter(pk=notification_id).update(email_claimed_at=None)
            return "no address"
        message = mail.EmailMessage(notification.subject, notification.body, None, [address])
        return "sent" if _send(notification_id, message) else "refused"


@outbox.job(_("E-mail a batch of reminders"))
def deliver_notification_batch(batch: str, bureau_id: int) -> int:
    """E-mail every notification of one batch, each once; returns how many were sent.

    One job for many notifications (a reminder scan makes thousands). When the mail server fails
    half-way, the job is run again later and sends only what is still unsent.
    """
    from .models import Notification

    sent = 0
    with bureau_scope(bureau_id), mail.get_connection() as connection:
        rows = list(
            Notification.objects.filter(batch=batch, emailed_at__isnull=True, email_error="")
            .exclude(recipient__email="")
            .values_list("pk", "subject", "body", "recipient__email")
        )
        for pk, subject, body, address in rows:
            if _claim(pk):
                message = mail.EmailMessage(subject, body, None, [address], connection=connection)
                sent += _send(pk, message)
    return sent


@shared_task(ignore_result=True)
def clear_expired_sessions() -> None:
    """Delete expired sign-in sessions (daily, from beat)."""
    from django.contrib.sessions.models import Session

    Session.objects.filter(expire_date__lt=timezone.now()).delete()
