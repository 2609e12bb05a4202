from django.apps import AppConfig


class AdjustmentsConfig(AppConfig):
    name = "adjustments"
    verbose_name = "Reasonable adjustments"

    def ready(self) -> None:
        from adjustments import permissions  # noqa: F401  (registers the rules)
