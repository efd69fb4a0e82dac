"""``manage.py load_demo_certificates``: the demo's certificate kinds and certificates."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.certificates import DEMO_CERTIFICATES, load_demo_certificates


class Command(BaseCommand):
    help = (
        "Configure the demo's certificate kinds from fixtures/demo_certificates.json (or --file) "
        "and issue every certificate due, through the services: each PDF is made by the worker. "
        "A programme with certificate kinds is left as it is. Run the earlier demo steps first "
        "(manage.py seed_demo runs them all in order)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", default=str(DEMO_CERTIFICATES), help="the demo file")

    def handle(self, *args, file: str, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            loaded = load_demo_certificates(path)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not loaded:
            self.stdout.write("Demo certificates already present.")
            return
        for line in loaded:
            self.stdout.write(self.style.SUCCESS(f"Loaded {line}"))
