from typing import Any

from django.core.management.base import BaseCommand

from vacancies.services import vacancies_close_expired


class Command(BaseCommand):
    help = "Close open vacancies whose closing date has passed (what beat does every minute)."

    def handle(self, *args: Any, **options: Any) -> None:
        closed = vacancies_close_expired()
        self.stdout.write(f"Closed {len(closed)} vacancies: {closed}")
