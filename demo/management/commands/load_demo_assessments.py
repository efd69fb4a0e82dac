"""``manage.py load_demo_assessments``: the demo participants' assessments and HA's units."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.assessments import DEMO_ASSESSMENTS, load_demo_assessments


class Command(BaseCommand):
    help = (
        "Assess the demo participants from fixtures/demo_assessments.json (or --file): each "
        "level filed, the bureau's decisions made and finalised, and the units of Haian "
        "assessed. A programme with assessments is left as it is. Run the earlier demo steps "
        "first (manage.py seed_demo runs them all in order)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", default=str(DEMO_ASSESSMENTS), help="the demo file")

    def handle(self, *args, file: str, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            loaded = load_demo_assessments(path)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not loaded:
            self.stdout.write("Demo assessments already present.")
            return
        for line in loaded:
            self.stdout.write(self.style.SUCCESS(f"Loaded {line}"))
