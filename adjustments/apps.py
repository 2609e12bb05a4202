from django.apps import AppConfig


class AdjustmentsConfig(AppConfig):
    name = "adjustments"
    verbose_name = "Reasonable adjustments"

    def ready(self) -> None:
        from adjustments import permissions  # noqa: F401  (registers the rules)
        from adjustments.models import PreApplicationRequest
        from kernel import audit

        # Who answered a request made before applying, when, and what they wrote.
        audit.register(PreApplicationRequest, include_fields=["answer", "answered_at"])
