from celery import shared_task
from django.core.mail import send_mail
from django.utils import timezone

from bureaus.tenancy import bureau_scope


@shared_task(ignore_result=True)
def deliver_notification_email(notification_id: int, bureau_id: int) -> str:
    """E-mail one notification, at most once.

    The e-mail is claimed by a conditional update before it is sent: when two workers run this
    for the same notification, only one update matches, and only that one sends.
    """
    from .models import Notification

    with bureau_scope(bureau_id):
        claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            return "already sent or gone"
        notification = Notification.objects.select_related("recipient").get(pk=notification_id)
        address = notification.recipient.email
        if not address:
            return "no address"
        send_mail(notification.subject, notification.body, None, [address])
        return "sent"


@shared_task(ignore_result=True)
def deliver_notification_batch(batch: str, bureau_id: int) -> int:
    """E-mail every notification of one batch, each at most once; returns how many were sent.

    One task for many notifications (a reminder scan makes thousands): each is still claimed by
    a conditional update before its e-mail goes out.
    """
    from django.core import mail

    from .models import Notification

    sent = 0
    with bureau_scope(bureau_id), mail.get_connection() as connection:
        rows = list(
            Notification.objects.filter(batch=batch, emailed_at__isnull=True)
            .exclude(recipient__email="")
            .values_list("pk", "subject", "body", "recipient__email")
        )
        for pk, subject, body, address in rows:
            claimed = Notification.objects.filter(pk=pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
            if claimed:
                mail.EmailMessage(subject, body, None, [address], connection=connection).send()
                sent += 1
    return sent


@shared_task(ignore_result=True)
def clear_expired_sessions() -> None:
    """Delete expired sign-in sessions (daily, from beat)."""
    from django.contrib.sessions.models import Session

    Session.objects.filter(expire_date__lt=timezone.now()).delete()
