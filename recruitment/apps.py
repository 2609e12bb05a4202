from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "recruitment"
    verbose_name = "Recruitment"

    def ready(self) -> None:
        from kernel import audit
        from recruitment import permissions  # noqa: F401  (registers the rules)
        from recruitment.interviews import on_vacancy
        from recruitment.models import (
            AgreedAssessment,
            AgreedScore,
            Application,
            InterviewBooking,
            InterviewSlot,
            OfferDecision,
            PackComment,
            PublicationPack,
            Score,
        )

        # Scores and decisions are audited; equality answers and declarations never are,
        # so no copy of special-category data lands in the audit log.
        audit.register(Score)
        audit.register(AgreedAssessment)
        audit.register(AgreedScore)
        audit.register(OfferDecision)
        # Interview slots (who published or removed which, and their panel) and bookings.
        audit.register(InterviewSlot, m2m_fields={"panel"})
        audit.register(InterviewBooking)
        on_vacancy.connect()  # a cancelled campaign's booked interviews are cancelled too
        # Who published which year's equality report, when (not the report itself).
        audit.register(PublicationPack, include_fields=["year", "sha256", "published_by"])
        # A network reviewer's comment on a draft report, and HR's answer.
        audit.register(PackComment)
        # Of an application, only the legal hold is audited here (its states are in the
        # transition log).
        audit.register(Application, include_fields=["legal_hold", "legal_hold_reason"])
