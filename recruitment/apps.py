from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "recruitment"
    verbose_name = "Recruitment"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from recruitment import permissions  # noqa: F401  (registers the rules)
        from recruitment.models import (
            AgreedAssessment,
            AgreedScore,
            Application,
            OfferDecision,
            Score,
        )

        # Scores and decisions are audited; equality answers and declarations never are,
        # so no copy of special-category data lands in the audit log.
        auditlog.register(Score)
        auditlog.register(AgreedAssessment)
        auditlog.register(AgreedScore)
        auditlog.register(OfferDecision)
        # Of an application, only the legal hold is audited here (its states are in the
        # transition log).
        auditlog.register(Application, include_fields=["legal_hold", "legal_hold_reason"])
