"""Legal hold: HR places and releases it on a vacancy or an application (API and pages);
nobody else can, a refusal changes nothing, and the change is in the audit log."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from recruitment.models import Application
from vacancies.models import Vacancy

pytestmark = pytest.mark.django_db

REASON = "Employment tribunal claim 3301234/2026"


def _state(obj):
    obj.refresh_from_db()
    return (obj.legal_hold, obj.legal_hold_reason)


@pytest.mark.parametrize("kind", ["vacancies", "applications"])
def test_hr_places_and_releases_a_hold(kind, hr, vacancy, application, client_for):
    target = vacancy if kind == "vacancies" else application
    url = f"/api/v1/{kind}/{target.pk}/legal-hold/"

    placed = client_for(hr).post(url, {"held": True, "reason": f"  {REASON} "})

    assert placed.status_code == 200
    assert placed.json()["legal_hold"] == {"held": True, "reason": REASON}
    assert _state(target) == (True, REASON)
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).latest("timestamp")
    assert entry.actor == hr
    assert entry.changes_dict["legal_hold"] == ["False", "True"]

    # Releasing needs a reason and a confirmation; without them nothing changes.
    refused = client_for(hr).post(url, {"held": False})
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "reason": ["Say why the hold can be released (the claim settled or withdrawn)."],
        "confirm": ["Confirm that the complaint or claim no longer needs this record kept."],
    }
    assert _state(target) == (True, REASON)
    refused = client_for(hr).post(url, {"held": False, "reason": "Claim withdrawn."})
    assert (refused.status_code, list(refused.json()["errors"])) == (400, ["confirm"])
    assert _state(target) == (True, REASON)

    released = client_for(hr).post(
        url, {"held": False, "reason": " Claim withdrawn 20 Nov 2026. ", "confirm": True}
    )
    assert released.status_code == 200
    assert released.json()["legal_hold"] == {
        "held": False,
        "reason": "Claim withdrawn 20 Nov 2026.",
    }
    assert _state(target) == (False, "Claim withdrawn 20 Nov 2026.")
    # Both changes are in the audit log, each with its reason and who made it.
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        action=LogEntry.Action.UPDATE,
    ).order_by("timestamp", "pk")
    changes = [
        (e.actor, e.changes_dict.get("legal_hold"), e.changes_dict["legal_hold_reason"][1])
        for e in entries
        if "legal_hold_reason" in e.changes_dict
    ]
    assert changes == [
        (hr, ["False", "True"], REASON),
        (hr, ["True", "False"], "Claim withdrawn 20 Nov 2026."),
    ]

    # A hold that is not there cannot be released.
    again = client_for(hr).post(url, {"held": False, "reason": "Again.", "confirm": True})
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")


@pytest.mark.parametrize("kind", ["vacancies", "applications"])
@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"held": True}, "reason", "Say why the record is held (the complaint or claim)."),
        (
            {"held": True, "reason": "   "},
            "reason",
            "Say why the record is held (the complaint or claim).",
        ),
        ({"reason": REASON}, "held", "This field is required."),
        ({"held": "perhaps", "reason": REASON}, "held", "Must be a valid boolean."),
        (
            {"held": True, "reason": "x" * 2001},
            "reason",
            "Ensure this field has no more than 2000 characters.",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    kind, body, field, message, hr, vacancy, application, client_for
):
    target = vacancy if kind == "vacancies" else application
    response = client_for(hr).post(f"/api/v1/{kind}/{target.pk}/legal-hold/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]
    assert _state(target) == (False, "")


@pytest.mark.parametrize(
    ("persona", "application_status"),
    [
        ("chair", 403),  # sees the application, may not hold it
        ("panel_member", 403),
        ("outsider_panel", 404),
        ("outsider_manager", 404),
        ("candidate", 403),  # their own
        ("other_candidate", 404),
    ],
)
def test_nobody_but_hr_can_hold_and_a_refusal_changes_nothing(
    request, persona, application_status, vacancy, application, client_for
):
    client = client_for(request.getfixturevalue(persona))
    logged = LogEntry.objects.count()
    vacancy_response = client.post(
        f"/api/v1/vacancies/{vacancy.pk}/legal-hold/", {"held": True, "reason": REASON}
    )
    application_response = client.post(
        f"/api/v1/applications/{application.pk}/legal-hold/", {"held": True, "reason": REASON}
    )
    # The vacancy is open, so everyone sees it: refused with 403, not hidden.
    assert (vacancy_response.status_code, application_response.status_code) == (
        403,
        application_status,
    )
    assert _state(vacancy) == _state(application) == (False, "")
    assert LogEntry.objects.count() == logged


def test_anonymous_gets_401(anon, vacancy, application):
    assert (
        anon.post(f"/api/v1/vacancies/{vacancy.pk}/legal-hold/", {"held": True}).status_code == 401
    )
    assert (
        anon.post(f"/api/v1/applications/{application.pk}/legal-hold/", {"held": True}).status_code
        == 401
    )


def test_only_hr_sees_the_hold_on_the_record(
    hr, chair, candidate, vacancy, application, client_for
):
    client_for(hr).post(
        f"/api/v1/applications/{application.pk}/legal-hold/", {"held": True, "reason": REASON}
    )
    for user, shown in ((hr, True), (chair, False), (candidate, False)):
        data = client_for(user).get(f"/api/v1/applications/{application.pk}/").json()
        assert ("legal_hold" in data) is shown
        vacancy_data = client_for(user).get(f"/api/v1/vacancies/{vacancy.pk}/").json()
        assert ("legal_hold" in vacancy_data) is shown


# --- Pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["vacancies", "applications"])
def test_hr_holds_and_releases_from_the_page(kind, hr, vacancy, application, client):
    target = vacancy if kind == "vacancies" else application
    page = f"/staff/{kind}/{target.pk}/"
    client.force_login(hr)
    assert "Place a legal hold" in client.get(page).content.decode()

    missing = client.post(f"{page}hold/", {"hold-reason": ""})
    assert missing.status_code == 200
    assert "Say why the record is held (the complaint or claim)." in missing.content.decode()
    assert _state(target) == (False, "")

    placed = client.post(f"{page}hold/", {"hold-reason": REASON}, follow=True)
    assert "Legal hold placed" in placed.content.decode()
    assert f"Held: {REASON}" in placed.content.decode()
    assert "Why can the hold be released?" in placed.content.decode()
    assert _state(target) == (True, REASON)

    # One click does not release it: a reason and the confirmation are asked for.
    unconfirmed = client.post(f"{page}release-hold/", {"hold-reason": "Claim withdrawn."})
    assert unconfirmed.status_code == 200
    assert (
        "Confirm that the complaint or claim no longer needs this record kept."
        in unconfirmed.content.decode()
    )
    assert _state(target) == (True, REASON)
    released = client.post(
        f"{page}release-hold/",
        {"hold-reason": "Claim withdrawn.", "hold-confirm": "on"},
        follow=True,
    )
    assert "Legal hold released" in released.content.decode()
    assert _state(target) == (False, "Claim withdrawn.")


@pytest.mark.parametrize("kind", ["vacancies", "applications"])
def test_the_chair_sees_no_hold_form_and_cannot_post_one(kind, chair, vacancy, application, client):
    target = vacancy if kind == "vacancies" else application
    page = f"/staff/{kind}/{target.pk}/"
    client.force_login(chair)
    assert "Legal hold" not in client.get(page).content.decode()
    assert client.post(f"{page}hold/", {"hold-reason": REASON}).status_code == 403
    assert _state(target) == (False, "")


def test_the_tables_did_not_change_on_refusal(chair, vacancy, application, client):
    client.force_login(chair)
    before = (list(Vacancy.objects.values()), list(Application.objects.values()))
    client.post(f"/staff/vacancies/{vacancy.pk}/hold/", {"hold-reason": REASON})
    client.post(f"/staff/applications/{application.pk}/hold/", {"hold-reason": REASON})
    assert (list(Vacancy.objects.values()), list(Application.objects.values())) == before
