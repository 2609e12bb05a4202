from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts import api as accounts_api
from adjustments.api import AdjustmentViewSet
from config.health import healthz
from recruitment.api import ApplicationViewSet
from vacancies.api import VacancyViewSet

router = DefaultRouter()
router.register("vacancies", VacancyViewSet, basename="vacancy")
router.register("applications", ApplicationViewSet, basename="application")
router.register("adjustments", AdjustmentViewSet, basename="adjustment")

api_v1: list[URLPattern | URLResolver] = [
    path("auth/register/", accounts_api.RegisterView.as_view(), name="register"),
    path("auth/token/", accounts_api.TokenView.as_view(), name="token"),
    path("auth/me/", accounts_api.MeView.as_view(), name="me"),
    path("users/", accounts_api.StaffUserList.as_view(), name="users"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]
