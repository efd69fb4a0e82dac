from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from demo.accounts import load_demo


class Command(BaseCommand):
    help = "Load the demo bureaus, schools and people from fixtures/demo.json (skips what exists)."

    def add_arguments(self, parser):
        default = Path(settings.BASE_DIR) / "fixtures" / "demo.json"
        parser.add_argument("--file", default=str(default))

    def handle(self, *args, file, **options):
        created = load_demo(Path(file))
        if created:
            self.stdout.write(self.style.SUCCESS("Demo data loaded: " + ", ".join(created)))
        else:
            self.stdout.write("Demo data already present.")
