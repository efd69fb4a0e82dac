from django.core.management.base import BaseCommand

from accounts.permission_table import render_table


class Command(BaseCommand):
    help = "Print which model permissions each role holds, per app, as one table."

    def handle(self, *args, **options) -> None:
        self.stdout.write(render_table(), ending="")
