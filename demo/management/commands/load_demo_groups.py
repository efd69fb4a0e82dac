"""``manage.py load_demo_groups``: demo workshops, teams, pairs, studios and training groups."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.workshops import DEMO_GROUPS, load_demo_groups


class Command(BaseCommand):
    help = (
        "Create the demo groups of the seed programmes with their members, activities, "
        "documents, courses and briefings, from fixtures/demo_groups.json (or --file). A "
        "programme that has groups is left as it is. Run load_demo, load_programmes and "
        "load_demo_cohorts first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", default=str(DEMO_GROUPS), help="the demo groups file")

    def handle(self, *args, file: str, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            loaded = load_demo_groups(path)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not loaded:
            self.stdout.write("Demo groups already present.")
            return
        for line in loaded:
            self.stdout.write(self.style.SUCCESS(f"Loaded {line}"))
