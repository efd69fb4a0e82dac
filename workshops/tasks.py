from celery import shared_task


@shared_task(ignore_result=True)
def scan_reminders() -> int:
    """Periodic (beat): send the briefing reminders due today, each at most once."""
    from .services import reminders_scan

    return reminders_scan()
