from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from accounts import api as accounts_api
from accounts import oidc, reviewer_api, reviewer_views
from accounts import staff_views as people_views
from accounts import views as accounts_views
from adjustments import views as adjustment_views
from adjustments.api import (
    AdjustmentsReportView,
    AdjustmentViewSet,
    ApplicationAdjustmentsViewSet,
)
from config import api_docs
from config.health import healthz
from recruitment import home
from recruitment.applications import staff_views
from recruitment.applications import views as recruitment_views
from recruitment.applications.api import ApplicationViewSet
from recruitment.interviews import api as interview_api
from recruitment.interviews import views as interview_views
from recruitment.monitoring import api as monitoring_api
from recruitment.monitoring import pay_api, publication_api, publication_views
from recruitment.monitoring import views as monitoring_views
from recruitment.privacy.api import DecisionRecordView, SubjectAccessView
from recruitment.scoring import feedback_views, offer_views, ranking_views
from recruitment.scoring import views as panel_views
from recruitment.scoring.api import (
    DecisionRunView,
    PositiveActionDecisionsView,
    VacancySiftViewSet,
)
from vacancies import feeds as vacancy_feeds
from vacancies import views as vacancy_views
from vacancies.api import VacancyViewSet

router = DefaultRouter()
router.register("vacancies", VacancyViewSet, basename="vacancy")
router.register("applications", ApplicationViewSet, basename="application")
router.register("adjustments", AdjustmentViewSet, basename="adjustment")
# Endpoints a feature owns under another's path, at the same paths and URL names: a vacancy's
# ranking and sift decisions (recruitment/scoring/api.py), an application's adjustment
# requests (adjustments/api.py). A second router, as a router takes each basename once.
feature_router = DefaultRouter()
feature_router.include_root_view = False
feature_router.register("vacancies", VacancySiftViewSet, basename="vacancy")
feature_router.register("applications", ApplicationAdjustmentsViewSet, basename="application")

api_v1: list[URLPattern | URLResolver] = [
    path("auth/register/", accounts_api.RegisterView.as_view(), name="register"),
    path("auth/token/", accounts_api.TokenView.as_view(), name="token"),
    path(
        "auth/password-reset/",
        accounts_api.PasswordResetView.as_view(),
        name="password-reset-request",
    ),
    path("auth/logout/", accounts_api.LogoutView.as_view(), name="token-logout"),
    path("auth/logout-all/", accounts_api.LogoutAllView.as_view(), name="token-logout-all"),
    path("auth/me/", accounts_api.MeView.as_view(), name="me"),
    path("auth/me/data/", SubjectAccessView.as_view(), name="my-data"),
    path("users/", accounts_api.StaffUserList.as_view(), name="users"),
    path("network-reviewers/", reviewer_api.GrantList.as_view(), name="reviewer-grants"),
    path(
        "network-reviewers/<int:pk>/withdraw/",
        reviewer_api.GrantWithdraw.as_view(),
        name="reviewer-grant-withdraw",
    ),
    path(
        "network-reviewers/<int:pk>/views/",
        reviewer_api.GrantViews.as_view(),
        name="reviewer-grant-views",
    ),
    path(
        "monitoring/publication/<str:year>/comments/",
        publication_api.CommentList.as_view(),
        name="publication-comments",
    ),
    path(
        "monitoring/publication/<str:year>/comments/<int:pk>/answer/",
        publication_api.CommentAnswer.as_view(),
        name="publication-comment-answer",
    ),
    path("monitoring/funnel/", monitoring_api.FunnelView.as_view(), name="monitoring-funnel"),
    path("monitoring/units/", monitoring_api.UnitsView.as_view(), name="monitoring-units"),
    path(
        "monitoring/statutory-return/",
        monitoring_api.StatutoryReturnView.as_view(),
        name="monitoring-statutory-return",
    ),
    path(
        "monitoring/relative-likelihood/",
        monitoring_api.RelativeLikelihoodView.as_view(),
        name="monitoring-relative-likelihood",
    ),
    path(
        "monitoring/representation/",
        monitoring_api.RepresentationView.as_view(),
        name="monitoring-representation",
    ),
    path(
        "monitoring/starting-pay/",
        pay_api.StartingPayView.as_view(),
        name="monitoring-starting-pay",
    ),
    path(
        "monitoring/adjustments/",
        AdjustmentsReportView.as_view(),
        name="monitoring-adjustments",
    ),
    path(
        "positive-action-decisions/",
        PositiveActionDecisionsView.as_view(),
        name="positive-action-decisions",
    ),
    path("decision-runs/<int:pk>/", DecisionRunView.as_view(), name="decision-run"),
    path(
        "applications/<int:pk>/feedback/",
        feedback_views.FeedbackView.as_view(),
        name="application-feedback",
    ),
    path(
        "vacancies/<int:pk>/interview-slots/",
        interview_api.VacancySlotsView.as_view(),
        name="vacancy-interview-slots",
    ),
    path("interview-slots/<int:pk>/", interview_api.SlotView.as_view(), name="interview-slot"),
    path(
        "applications/<int:pk>/interview-slots/",
        interview_api.OfferedSlotsView.as_view(),
        name="application-interview-slots",
    ),
    path(
        "vacancies/<int:pk>/decision-record/",
        DecisionRecordView.as_view(),
        name="vacancy-decision-record",
    ),
    path("", include(router.urls)),
    path("", include(feature_router.urls)),
]

candidate_pages: list[URLPattern | URLResolver] = [
    path("jobs/", vacancy_views.vacancy_list, name="vacancy-list"),
    path("jobs/feed/", vacancy_feeds.open_vacancies, name="vacancy-feed"),
    path("jobs/<int:pk>/", vacancy_views.vacancy_detail, name="vacancy"),
    path(
        "jobs/<int:pk>/adjustments/",
        adjustment_views.ask_before_applying,
        name="ask-before-applying",
    ),
    path("jobs/<int:pk>/apply/", recruitment_views.apply, name="apply-start"),
    path("jobs/<int:pk>/apply/<slug:step>/", recruitment_views.apply, name="apply"),
    path("applications/", recruitment_views.my_applications, name="my-applications"),
    path("account/data/", recruitment_views.my_data, name="account-data"),
    path("applications/<int:pk>/", recruitment_views.my_application, name="my-application"),
    path(
        "applications/<int:pk>/sent/", recruitment_views.application_sent, name="application-sent"
    ),
    path("applications/<int:pk>/feedback/", feedback_views.feedback_page, name="my-feedback"),
    path(
        "applications/<int:pk>/adjustments/new/",
        adjustment_views.request_adjustment,
        name="request-adjustment",
    ),
    path(
        "adjustments/<int:pk>/withdraw/",
        adjustment_views.withdraw_adjustment,
        name="withdraw-adjustment",
    ),
    path("applications/<int:pk>/interview/", interview_views.book, name="book-interview"),
    path(
        "applications/<int:pk>/interview.ics",
        interview_views.calendar_file,
        name="interview-calendar",
    ),
    path(
        "applications/<int:pk>/<slug:action>/",
        recruitment_views.my_application_action,
        name="my-application-action",
    ),
]

staff_pages: list[URLPattern | URLResolver] = [
    path("", home.staff_home, name="staff-home"),
    path("people/", people_views.people, name="people"),
    path("people/invite/", people_views.invite, name="invite"),
    path("people/network-reviewers/", reviewer_views.network_reviewers, name="network-reviewers"),
    path(
        "people/network-reviewers/new/",
        reviewer_views.network_reviewer_new,
        name="network-reviewer-new",
    ),
    path(
        "people/network-reviewers/<int:pk>/",
        reviewer_views.network_reviewer,
        name="network-reviewer",
    ),
    path(
        "people/network-reviewers/<int:pk>/withdraw/",
        reviewer_views.network_reviewer_withdraw,
        name="network-reviewer-withdraw",
    ),
    path("people/<int:pk>/", people_views.person, name="person"),
    path("people/<int:pk>/<slug:action>/", people_views.person_action, name="person-action"),
    path("vacancies/", vacancy_views.staff_vacancy_list, name="staff-vacancies"),
    path("vacancies/new/", vacancy_views.staff_vacancy_create, name="staff-vacancy-create"),
    path("vacancies/<int:pk>/", vacancy_views.staff_vacancy_detail, name="staff-vacancy"),
    path("vacancies/<int:pk>/edit/", vacancy_views.staff_vacancy_edit, name="staff-vacancy-edit"),
    path(
        "vacancies/<int:pk>/interviews/",
        adjustment_views.interview_schedule,
        name="interview-schedule",
    ),
    path(
        "vacancies/<int:pk>/interview-slots/",
        interview_views.vacancy_slots,
        name="interview-slots",
    ),
    path(
        "interview-slots/<int:pk>/remove/",
        interview_views.remove_slot,
        name="remove-interview-slot",
    ),
    path("interviews/", interview_views.my_day, name="my-interview-day"),
    path(
        "vacancies/<int:pk>/applications/",
        staff_views.staff_applications,
        name="staff-applications",
    ),
    path(
        "vacancies/<int:pk>/scoring/<slug:stage>/",
        panel_views.scoring_queue,
        name="scoring-queue",
    ),
    path("vacancies/<int:pk>/moderation/<slug:stage>/", panel_views.moderation, name="moderation"),
    path("vacancies/<int:pk>/ranking/<slug:stage>/", ranking_views.ranking, name="ranking"),
    path("vacancies/<int:pk>/decisions/", ranking_views.bulk_decide, name="bulk-decide"),
    path(
        "vacancies/<int:pk>/ranked-decisions/",
        ranking_views.ranked_decision,
        name="ranked-decision",
    ),
    path("decision-runs/<int:pk>/", ranking_views.decision_run, name="decision-run"),
    path("vacancies/<int:pk>/complete-sift/", ranking_views.complete_sift, name="complete-sift"),
    path(
        "vacancies/<int:pk>/<slug:action>/",
        vacancy_views.staff_vacancy_action,
        name="staff-vacancy-action",
    ),
    path("applications/<int:pk>/", staff_views.staff_application, name="staff-application"),
    path(
        "applications/<int:pk>/scoring/<slug:stage>/",
        panel_views.score_application,
        name="score-application",
    ),
    path(
        "applications/<int:pk>/moderation/<slug:stage>/",
        panel_views.moderate,
        name="moderate",
    ),
    path(
        "applications/<int:pk>/offer-decision/",
        offer_views.offer_decision,
        name="offer-decision",
    ),
    path(
        "positive-action-decisions/",
        offer_views.positive_action_decisions,
        name="positive-action-decisions",
    ),
    path("monitoring/", monitoring_views.dashboard, name="monitoring"),
    path("monitoring/publication/", publication_views.publication_list, name="publication"),
    path(
        "monitoring/publication/<str:year>/",
        publication_views.publication_year,
        name="publication-year",
    ),
    path(
        "monitoring/publication/<str:year>/report.pdf",
        publication_views.publication_pdf,
        name="publication-pdf",
    ),
    path(
        "monitoring/publication/<str:year>/comments/",
        publication_views.report_comment,
        name="report-comment",
    ),
    path(
        "monitoring/publication/<str:year>/comments/<int:pk>/answer/",
        publication_views.report_comment_answer,
        name="report-comment-answer",
    ),
    path("monitoring/reports/<str:report_id>/", monitoring_views.report, name="monitoring-report"),
    path(
        "monitoring/reports/<str:report_id>/download.csv",
        monitoring_views.report_download,
        name="monitoring-report-download",
    ),
    path("adjustments/", adjustment_views.queue, name="adjustment-queue"),
    path("adjustments/report/", adjustment_views.report, name="adjustment-report"),
    path(
        "adjustments/before-applying/<int:pk>/",
        adjustment_views.answer_before_applying,
        name="before-applying",
    ),
    path("adjustments/<int:pk>/", adjustment_views.decide, name="adjustment-decide"),
    path(
        "applications/<int:pk>/<slug:action>/",
        staff_views.staff_application_action,
        name="staff-application-action",
    ),
]

urlpatterns = [
    path("", home.home, name="home"),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="accessibility.html"),
        name="accessibility",
    ),
    path("privacy/", TemplateView.as_view(template_name="privacy.html"), name="privacy"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/register/", accounts_views.register, name="register-page"),
    path("accounts/check-email/", accounts_views.check_email, name="check-email"),
    path(
        "accounts/confirm-email/resend/",
        accounts_views.resend_confirmation,
        name="resend-confirmation",
    ),
    path(
        "accounts/confirm-email/<str:uidb64>/<str:token>/",
        accounts_views.confirm_email,
        name="confirm-email",
    ),
    path("accounts/password-reset/", accounts_views.password_reset, name="password-reset"),
    path(
        "accounts/reset/<str:uidb64>/<str:token>/",
        accounts_views.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path(
        "accounts/invitation/<str:uidb64>/<str:token>/",
        accounts_views.accept_invitation,
        name="accept-invitation",
    ),
    path("accounts/two-factor/", accounts_views.two_factor, name="two-factor"),
    path("oidc/start/", oidc.SignOnStart.as_view(), name="sso-start"),
    path("oidc/callback/", oidc.SignOnCallback.as_view(), name="oidc_authentication_callback"),
    path("", include(candidate_pages)),
    path("staff/", include(staff_pages)),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs.swagger_ui, name="api-docs"),
    path("api/redoc/", api_docs.redoc, name="api-redoc"),
]

handler400 = "kernel.api.bad_request"
handler404 = "kernel.api.not_found"
