from typing import Any

from django.core.management.base import BaseCommand

from recruitment.applications.notifications import scoring_reminders_send


class Command(BaseCommand):
    help = (
        "Remind panel members of applications waiting for their scores (what beat does "
        "every hour). Safe to run as often as you like: nobody is reminded twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = scoring_reminders_send()
        self.stdout.write(f"Sent {len(sent)} scoring reminders.")
