from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import permissions  # noqa: F401  (registers the rules)
        from accounts.models import ReviewerGrant, User
        from kernel import audit

        # Who changed a person's role, access, name or address, and when (never passwords).
        audit.register(
            User,
            include_fields=[
                "role",
                "is_active",
                "full_name",
                "email",
                "email_confirmed_at",
                "sso_subject",
                "second_factor_set_at",
            ],
        )
        # Who granted or withdrew a network reviewer's access, when, and why.
        audit.register(ReviewerGrant)
