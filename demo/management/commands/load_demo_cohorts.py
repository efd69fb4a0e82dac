"""``manage.py load_demo_cohorts``: demo enrolments and evidence for the seed programmes."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.cohorts import DEMO_COHORTS, load_demo_cohorts


class Command(BaseCommand):
    help = (
        "Enrol demo teachers in the seed programmes and file their evidence, from "
        "fixtures/demo_cohorts.json (or --file). A programme that has enrolments is left as it is. "
        "Run load_demo and load_programmes first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", default=str(DEMO_COHORTS), help="the demo cohorts file")

    def handle(self, *args, file: str, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            loaded = load_demo_cohorts(path)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not loaded:
            self.stdout.write("Demo cohorts already present.")
            return
        for line in loaded:
            self.stdout.write(self.style.SUCCESS(f"Loaded {line}"))
