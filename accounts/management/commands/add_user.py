from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Role
from accounts.services import user_create


class Command(BaseCommand):
    help = "Create a user with a role (staff accounts are made this way)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--full-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = user_create(
                username=options["username"],
                email=options["email"] or f"{options['username']}@example.gov.uk",
                password=options["password"],
                full_name=options["full_name"] or options["username"],
                role=options["role"],
                email_confirmed=True,  # made on the server by someone who vouches for it
            )
        except ValidationError as exc:
            problems = "; ".join(
                f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()
            )
            raise CommandError(problems) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Created {user.role} {user.username} (id {user.pk}).")
        )
