"""``manage.py load_programmes``: load the programme seeds in fixtures/programmes/ (or given)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.programmes import SEED_DIR, SeedBureauMissing, load_programme_seed, seed_files


class Command(BaseCommand):
    help = (
        "Load programme seeds (JSON) into their bureaus: every file in fixtures/programmes/, or "
        "the files named. A programme that exists is left as it is; a file whose bureau does not "
        "exist is skipped with a note."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="*", help=f"seed files (default: every *.json in {SEED_DIR})"
        )

    def handle(self, *args, files: list[str], **options) -> None:
        paths = [Path(name) for name in files] or seed_files()
        if not paths:
            self.stdout.write(f"No programme seeds in {SEED_DIR}.")
            return
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            try:
                programme = load_programme_seed(path)
            except SeedBureauMissing as exc:
                self.stdout.write(f"Skipped {exc}")
                continue
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            if programme is None:
                self.stdout.write(f"{path.name}: already loaded, nothing changed.")
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{path.name}: loaded {programme.name} ({programme.cycle_label}) into "
                        f"bureau {programme.bureau.code}."
                    )
                )
