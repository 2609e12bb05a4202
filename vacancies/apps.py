from django.apps import AppConfig


class VacanciesConfig(AppConfig):
    name = "vacancies"
    verbose_name = "Vacancies"

    def ready(self) -> None:
        from kernel import audit
        from vacancies import permissions  # noqa: F401  (registers the rules)
        from vacancies.models import Criterion, PositiveActionPlan, Vacancy

        audit.register(Vacancy, m2m_fields={"panel"}, exclude_fields=["updated_at"])
        audit.register(Criterion)
        audit.register(PositiveActionPlan)
