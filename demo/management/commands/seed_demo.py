"""``manage.py seed_demo``: the whole demo, every registered part in order (``make demo``)."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo import registry


class Command(BaseCommand):
    help = (
        "Load the whole demo: the bureaus, schools and people, the programme seeds, the "
        "enrolments and evidence, the groups, and the parts other apps add, in that order. "
        "What is loaded already is left as it is, so running it again changes nothing."
    )

    def handle(self, *args, **options) -> None:
        for step in registry.steps():
            call_command(step.command, stdout=self.stdout, stderr=self.stderr)
