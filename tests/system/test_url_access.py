"""Every URL declares who may reach it, and an anonymous visitor is kept out of every one that
is not public: a new URL without a declaration fails here."""

import re

import pytest
from django.urls import URLResolver, get_resolver

pytestmark = pytest.mark.django_db

PUBLIC = "public"
SIGNED_IN = "signed in"  # anonymous: web pages redirect to sign-in, the API answers 401

ACCESS = {
    # Web pages open to everyone
    "home": PUBLIC,
    "accessibility": PUBLIC,
    "privacy": PUBLIC,
    "healthz": PUBLIC,
    "login": PUBLIC,
    "logout": PUBLIC,
    "register-page": PUBLIC,
    "confirm-email": PUBLIC,  # an e-mailed link: the token is the key
    "password-reset": PUBLIC,
    "password-reset-confirm": PUBLIC,  # an e-mailed link
    "password-reset-request": PUBLIC,  # API
    "accept-invitation": PUBLIC,  # an e-mailed link
    "sso-start": PUBLIC,  # 404 unless single sign-on is on
    "oidc_authentication_callback": PUBLIC,
    "vacancy-list": PUBLIC,  # web jobs list and API vacancy list (open vacancies only)
    "vacancy": PUBLIC,
    "vacancy-feed": PUBLIC,  # the Atom feed of the jobs open to applications
    "ask-before-applying": PUBLIC,  # an open job's page: anyone may ask
    "vacancy-detail": PUBLIC,  # API: an open vacancy, else 404
    "schema": PUBLIC,
    "api-docs": PUBLIC,
    "api-redoc": PUBLIC,
    "api-root": PUBLIC,
    "register": PUBLIC,
    "token": PUBLIC,
    # Everything else needs an account; the object permissions are tested elsewhere.
    **dict.fromkeys(
        [
            "apply-start",
            "apply",
            "my-applications",
            "account-data",
            "my-application",
            "my-feedback",
            "application-sent",
            "request-adjustment",
            "withdraw-adjustment",
            "my-application-action",
            "staff-vacancies",
            "staff-vacancy-create",
            "staff-vacancy",
            "staff-vacancy-edit",
            "interview-schedule",
            "interview-slots",
            "remove-interview-slot",
            "my-interview-day",
            "book-interview",
            "interview-calendar",
            "vacancy-interview-slots",
            "interview-slot",
            "application-interview-slots",
            "staff-applications",
            "scoring-queue",
            "moderation",
            "ranking",
            "bulk-decide",
            "ranked-decision",
            "decision-run",
            "vacancy-ranked-decisions",
            "complete-sift",
            "vacancy-complete-sift",
            "staff-vacancy-action",
            "staff-application",
            "score-application",
            "moderate",
            "offer-decision",
            "positive-action-decisions",
            "monitoring",
            "publication",
            "publication-year",
            "publication-pdf",
            "monitoring-report",
            "monitoring-report-download",
            "adjustment-queue",
            "adjustment-report",
            "adjustment-decide",
            "staff-application-action",
            "me",
            "resend-confirmation",
            "before-applying",
            "staff-home",
            "check-email",
            "two-factor",
            "people",
            "invite",
            "person",
            "person-action",
            "token-logout",
            "token-logout-all",
            "my-data",
            "users",
            "monitoring-funnel",
            "monitoring-relative-likelihood",
            "monitoring-representation",
            "monitoring-starting-pay",
            "monitoring-adjustments",
            "monitoring-units",
            "monitoring-statutory-return",
            "vacancy-cancel",
            "vacancy-close",
            "vacancy-decisions",
            "vacancy-fill",
            "vacancy-publish",
            "vacancy-ranking",
            "vacancy-ranked-applications",
            "vacancy-legal-hold",
            "vacancy-decision-record",
            "application-list",
            "application-detail",
            "application-adjustments",
            "application-agreed-scores",
            "application-history",
            "application-legal-hold",
            "application-scores",
            "application-score-history",
            "application-feedback",
            "application-take-action",
            "adjustment-list",
            "adjustment-detail",
            "adjustment-take-action",
            # Staff network reviewers: HR's pages and API, the comments on a draft report.
            "network-reviewers",
            "network-reviewer-new",
            "network-reviewer",
            "network-reviewer-withdraw",
            "reviewer-grants",
            "reviewer-grant-withdraw",
            "reviewer-grant-views",
            "report-comment",
            "report-comment-answer",
            "publication-comments",
            "publication-comment-answer",
        ],
        SIGNED_IN,
    ),
}

SAMPLE = {
    "pk": "1",
    "step": "statement",
    "action": "withdraw",
    "stage": "shortlisting",
    "report_id": "abc",
    "action_name": "shortlist",
    "format": "json",
    "year": "2024-25",
}


def routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.name

    return list(walk(get_resolver().url_patterns))


def concrete(route):
    """A path for the route with sample values, or None for format-suffix variants."""
    if "format" in route:
        return None
    path = route.replace("^", "").replace("$", "").replace("\\", "")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLE[m.group(1)], path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE[m.group(1)], path)
    return "/" + path


def test_every_url_declares_who_may_reach_it():
    undeclared = sorted({name for _, name in routes() if name not in ACCESS})
    assert undeclared == [], f"declare these in ACCESS: {undeclared}"


@pytest.mark.parametrize(
    ("route", "name"),
    [(r, n) for r, n in routes() if ACCESS.get(n) == SIGNED_IN and concrete(r)],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_an_anonymous_visitor_is_kept_out(client, route, name):
    path = concrete(route)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path, response.status_code)
        else:
            assert response.status_code == 302, (method, path, response.status_code)
            assert response["Location"].startswith("/accounts/login/?next=")
