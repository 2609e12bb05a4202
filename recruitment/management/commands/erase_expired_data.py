"""Erase candidates' personal data past the retention period (recruitment/privacy/retention.py).

Beat runs the same work nightly on the workers (``recruitment.tasks.erase_expired_personal_data``);
this command is for the embedded mode, for operators, and for a dry run before the first."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count, Q

from recruitment.privacy import retention


class Command(BaseCommand):
    help = "Erase personal data of campaigns past the retention period (legal holds respected)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what is due and change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        months = settings.RETENTION_MONTHS
        due = list(
            retention.vacancies_due()
            .annotate(
                due=Count(
                    "applications",
                    filter=Q(applications__erased_at=None, applications__legal_hold=False),
                )
            )
            .values_list("pk", "reference", "due")
        )
        total = sum(count for _, _, count in due)
        self.stdout.write(
            f"{len(due)} campaign(s) past the {months}-month retention period: "
            f"{total} application(s) to erase."
        )
        if options["dry_run"]:
            for _, reference, count in due:
                self.stdout.write(f"  {reference}: {count} application(s)")
            accounts = retention.candidates_due().count()
            self.stdout.write(f"{accounts} unused candidate account(s) with no application left.")
            return
        erased = 0
        for done, (pk, reference, _) in enumerate(due, start=1):
            count = retention.erase_vacancy_applications(pk)
            erased += count
            self.stdout.write(f"  [{done}/{len(due)}] {reference}: erased {count}")
        self.stdout.write(f"Erased {erased} application(s) of {len(due)} campaign(s).")
        deleted = sum(
            len(retention.erase_candidate_accounts(chunk))
            for chunk in retention.chunked(
                list(retention.candidates_due().values_list("pk", flat=True))
            )
        )
        self.stdout.write(f"Deleted {deleted} candidate account(s).")
        forgotten = retention.forget_failed_sign_ins()
        self.stdout.write(f"Forgot {forgotten} failed sign-in(s) past their cool-off.")
