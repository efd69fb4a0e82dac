"""Reminder sources other apps add to the daily reminder scan (``services.reminders_scan``), so
this app does not depend on them.

A source is ``source(*, today, before, overdue_after) -> list[Notification]``: the unsaved
notifications due today, each with a key that makes it once (the scan inserts them all, and a
notification whose key was made before is skipped). It reads across bureaus, set-based.
"""

from __future__ import annotations

from collections.abc import Callable

ReminderSource = Callable[..., list]

REMINDER_SOURCES: list[ReminderSource] = []


def register_reminder_source(source: ReminderSource) -> None:
    """Add a source to the scan, once (``ready()`` may run more than once in tests)."""
    if source not in REMINDER_SOURCES:
        REMINDER_SOURCES.append(source)
