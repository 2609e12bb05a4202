"""Retention and erasure: personal data goes after the retention period, the statistics stay
exactly the same, a second run changes nothing more, and a legal hold keeps a record whole."""

from dataclasses import asdict, replace
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core import serializers
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_fsm_log.models import StateLog
from knox.models import AuthToken

from accounts.models import Role, User
from adjustments import services as adjustment_services
from adjustments.models import AdjustmentRequest
from adjustments.reporting import adjustments_report
from recruitment.applications import services
from recruitment.models import (
    AgreedAssessment,
    AgreedScore,
    Application,
    EqualityAnswers,
    Evidence,
    GuaranteeDeclaration,
    Notification,
    OfferDecision,
    PositiveActionDeclaration,
    Score,
)
from recruitment.monitoring import groups, release, statistics
from recruitment.monitoring.presets import PRESETS
from recruitment.privacy import retention
from recruitment.scoring import decisions
from recruitment.scoring import services as services_
from recruitment.scoring.selectors import positive_action_decisions
from recruitment.tasks import (
    erase_candidate_accounts,
    erase_expired_personal_data,
    erase_vacancy_applications,
)
from tests.conftest import require
from tests.support.factories import (
    PositiveActionPlanFactory,
    UserFactory,
    VacancyFactory,
    interview_time_passes,
)
from tests.support.workers import redis_available
from vacancies import services as vacancy_services
from vacancies.models import Vacancy

pytestmark = pytest.mark.django_db

SECRET_WORDS = (
    "Zanele",
    "zanele@",
    "ZSTATEMENT",
    "ZEVIDENCE",
    "ZNOTE",
    "ZDETAILS",
    "ZREASON",
    "ZPLACE",
)
EQUALITY = {
    "ethnicity": "black_african",
    "sex": "female",
    "disability_condition": "yes",
    "disability_impact": "a_lot",
    "age_band": "25-34",
}


def _apply(vacancy, n, **extra):
    candidate = UserFactory(
        username=f"zanele{vacancy.pk}-{n}",
        full_name=f"Zanele Dube {n}",
        email=f"zanele@{vacancy.pk}-{n}.example.org",
        role=Role.CANDIDATE,
    )
    application = services.application_submit(
        candidate=candidate,
        vacancy=vacancy,
        statement=f"ZSTATEMENT of candidate {n}",
        evidence=[
            services.EvidenceInput(criterion=c.pk, text=f"ZEVIDENCE {n} {c.pk}")
            for c in vacancy.criteria.all()
        ],
        equality=EQUALITY if n % 2 else {"sex": "male", "age_band": "45-54"},
        **extra,
    )
    return candidate, application


def _scores(vacancy, value):
    return [
        services_.ScoreInput(criterion=c.pk, score=value, note=f"ZNOTE {value}")
        for c in vacancy.criteria.all()
    ]


def run_campaign(hr, chair, panel, *, ended_months_ago=7):
    """A whole campaign through the services: four applications with evidence, monitoring
    answers, declarations and adjustments; scored, moderated, interviewed, one appointed
    (with the tie-breaker record), one withdrawn by the candidate; then filled, and the
    end moved ``ended_months_ago`` months back."""
    vacancy = VacancyFactory(hiring_manager=chair, panel=[panel])
    PositiveActionPlanFactory(vacancy=vacancy)
    people = [
        _apply(vacancy, 1, interview_guarantee="disability_confident", positive_action=True),
        _apply(vacancy, 2),
        _apply(vacancy, 3, interview_guarantee="care_leaver"),
        _apply(vacancy, 4),
    ]
    (c1, a1), (c2, a2), (c3, a3), (_c4, a4) = people
    asked, _ = adjustment_services.adjustment_request(
        application=a1, by=c1, stage="interview", category="extra_time", details="ZDETAILS time"
    )
    adjustment_services.adjustment_agree(adjustment_id=asked.pk, by=hr, arrangement="ZDETAILS 25%")
    declined, _ = adjustment_services.adjustment_request(
        application=a2, by=c2, stage="interview", category="other", details="ZDETAILS other"
    )
    adjustment_services.adjustment_decline(
        adjustment_id=declined.pk, by=hr, reason="ZDETAILS not possible"
    )
    Vacancy.objects.filter(pk=vacancy.pk).update(closing_date=timezone.now() - timedelta(hours=1))
    vacancy_services.vacancy_close(vacancy_id=vacancy.pk, by=hr)
    for application in (a1, a2, a3, a4):
        services_.scores_submit(
            application_id=application.pk,
            by=panel,
            stage="shortlisting",
            scores=_scores(vacancy, 3),
        )
        services_.agreed_scores_set(
            application_id=application.pk,
            by=chair,
            stage="shortlisting",
            scores=_scores(vacancy, 3),
            note="ZNOTE agreed",
        )
    services.application_reject(application_id=a4.pk, by=chair, reason="ZREASON weaker")
    for application in (a1, a2, a3):
        services.application_shortlist(application_id=application.pk, by=chair, reason="ZREASON")
        services.application_schedule_interview(
            application_id=application.pk,
            by=chair,
            interview_at=timezone.now() + timedelta(days=2),
            interview_format="phone",
            interview_place=f"ZPLACE we will call you on 07700 90012{application.pk % 10}",
        )
    decisions.sift_complete(vacancy_id=vacancy.pk, by=chair, confirm=True)
    services.application_withdraw(application_id=a3.pk, by=c3, reason="ZREASON found a job")
    for application in (a1, a2):
        interview_time_passes(application)
        services.application_record_interview(application_id=application.pk, by=chair)
        services_.agreed_scores_set(
            application_id=application.pk,
            by=chair,
            stage="interview",
            scores=_scores(vacancy, 3),
            note="ZNOTE agreed at interview",
        )
    services.application_reject(application_id=a2.pk, by=chair, reason="ZREASON second")
    services.application_offer(
        application_id=a1.pk,
        by=chair,
        reason="ZREASON best",
        salary=vacancy.salary_min + 1000,
        salary_reason="ZREASON her salary at her last council",
    )
    OfferDecision.objects.filter(application=a1).update(
        positive_action_used=True, justification="ZREASON tie with Zanele", tied_with=["A-X"]
    )
    services.application_accept_offer(application_id=a1.pk, by=c1)
    vacancy_services.vacancy_fill(vacancy_id=vacancy.pk, by=hr)
    ended = timezone.now() - timedelta(days=31 * ended_months_ago)
    Vacancy.objects.filter(pk=vacancy.pk).update(ended_at=ended)
    User.objects.filter(pk__in=[c.pk for c, _ in people]).update(
        last_login=ended, date_joined=ended - timedelta(days=30)
    )
    vacancy.refresh_from_db()
    return vacancy, people


def everything_released(selection):
    """The same rows with every stage released: what the published figures are made of (the
    true counts and record-key sums), so that the comparison does not pass merely because a
    small campaign's figures are withheld."""
    return replace(selection, released=dict.fromkeys(groups.STAGES, True))


def all_statistics():
    """Every statistic HR can see, as plain data, and the cells behind them."""
    everything = {}
    selections = [
        release.select(),
        release.select(department="Children's Services"),
    ]
    for name, preset in PRESETS.items():
        for characteristic in groups.CHARACTERISTICS:
            for i, selection in enumerate(selections):
                everything[name, characteristic, i] = asdict(
                    statistics.funnel(characteristic, preset, selection)
                )
                everything[name, characteristic, i, "cells"] = asdict(
                    release.cells(characteristic, everything_released(selection))
                )
                everything[name, characteristic, i, "released"] = asdict(
                    statistics.funnel(characteristic, preset, everything_released(selection))
                )
            everything[name, "representation", characteristic] = statistics.representation(
                characteristic, preset, selections[0]
            )
        everything[name, "rl"] = [
            asdict(statistics.relative_likelihood(c, preset, selections[0]))
            for c in ("ethnicity_group", "disability", "sex")
        ]
        for i, selection in enumerate(selections):
            everything[name, "adjustments", i] = asdict(
                adjustments_report(preset=preset, selection=everything_released(selection))
            )
    everything["positive action"] = [
        (d.positive_action_used, d.decided_at, d.evidence)
        for d in positive_action_decisions(date_from=None, date_to=None)
    ]
    return everything


def database_dump():
    """Every row of the service's own tables and of both logs, as text."""
    models = [
        User,
        AuthToken,
        Vacancy,
        Application,
        Evidence,
        GuaranteeDeclaration,
        PositiveActionDeclaration,
        EqualityAnswers,
        Score,
        AgreedAssessment,
        AgreedScore,
        OfferDecision,
        Notification,
        AdjustmentRequest,
        StateLog,
        LogEntry,
    ]
    return "\n".join(
        serializers.serialize("json", m.objects.order_by("pk"), use_natural_foreign_keys=False)
        for m in models
    )


@pytest.fixture
def campaign(hr, chair, panel_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return run_campaign(hr, chair, panel_member)


def test_erasure_removes_the_personal_data_and_keeps_the_statistics_identical(campaign):
    vacancy, people = campaign
    ids = [a.pk for _, a in people]
    before = all_statistics()
    dump = database_dump()
    assert all(word in dump for word in SECRET_WORDS)  # the test data is really there
    assert statistics.population(release.select()) == 4

    result = retention.erase_due()

    assert result == {"applications": {vacancy.pk: 4}, "accounts": [c.pk for c, _ in people]}
    assert all_statistics() == before
    dump = database_dump()
    assert [word for word in SECRET_WORDS if word in dump] == []
    erased = Application.objects.filter(pk__in=ids).order_by("pk")
    assert [(a.candidate_id, a.statement, a.erased_at is not None) for a in erased] == [
        (None, "", True)
    ] * 4
    assert [a.state for a in erased] == [
        "appointed",
        "not_appointed",
        "withdrawn",
        "not_shortlisted",
    ]
    for model in (Evidence, GuaranteeDeclaration, PositiveActionDeclaration, Score, Notification):
        assert model.objects.filter(application_id__in=ids).count() == 0
    assert AgreedAssessment.objects.count() == AgreedScore.objects.count() == 0
    assert EqualityAnswers.objects.filter(vacancy=vacancy).count() == 4
    assert EqualityAnswers.objects.filter(vacancy=vacancy, application__isnull=False).count() == 0
    assert list(
        AdjustmentRequest.objects.values_list("category", "state", "details", "arrangement")
    ) == [("extra_time", "agreed", "", ""), ("other", "declined", "", "")]
    # The starting pay stays (the report's figures rest on it), its reason about them goes.
    assert list(
        OfferDecision.objects.values_list(
            "positive_action_used", "justification", "salary", "salary_reason"
        )
    ) == [(True, "", vacancy.salary_min + 1000, "")]
    history = StateLog.objects.filter(object_id__in=ids, content_type__model="application")
    assert history.count() == 17  # 4 submitted, 4 shortlisting decisions, 3 interviews, …
    assert history.exclude(description=None).count() == 0
    assert history.filter(by_id__in=[c.pk for c, _ in people]).count() == 0
    assert User.objects.filter(role=Role.CANDIDATE).count() == 0
    assert User.objects.filter(pk=vacancy.hiring_manager_id).exists()


def test_a_second_run_changes_nothing_more(campaign):
    retention.erase_due()
    dump = database_dump()
    stats = all_statistics()

    assert retention.erase_due() == {"applications": {}, "accounts": []}
    assert erase_vacancy_applications(campaign[0].pk) == 0
    assert database_dump() == dump
    assert all_statistics() == stats


def test_the_per_id_tasks_tolerate_rows_already_erased_or_gone(campaign):
    vacancy, people = campaign
    assert erase_vacancy_applications(vacancy.pk) == 4
    assert erase_vacancy_applications(vacancy.pk) == 0
    assert erase_vacancy_applications(999_999) == 0
    first, second = people[0][0].pk, people[1][0].pk
    assert erase_candidate_accounts([first, 999_999]) == [first]
    assert erase_candidate_accounts([first, second]) == [second]
    assert erase_candidate_accounts([first, second, 999_999]) == []


def test_the_fan_out_task_sends_one_task_per_vacancy_and_account(campaign, eager):
    vacancy, people = campaign
    # Eager: the per-id tasks run inside the fan-out, applications first, so the accounts
    # are not yet due when the fan-out looks.
    assert erase_expired_personal_data() == {"vacancies": [vacancy.pk], "accounts": []}
    assert Application.objects.filter(vacancy=vacancy, erased_at=None).count() == 0
    assert erase_expired_personal_data() == {
        "vacancies": [],
        "accounts": [c.pk for c, _ in people],
    }
    assert User.objects.filter(role=Role.CANDIDATE).count() == 0
    assert erase_expired_personal_data() == {"vacancies": [], "accounts": []}


def test_a_held_vacancy_or_application_survives(campaign, hr):
    vacancy, people = campaign
    other, other_people = run_campaign(hr, vacancy.hiring_manager, vacancy.panel.first())
    vacancy_services.vacancy_legal_hold_set(
        vacancy_id=vacancy.pk, by=hr, held=True, reason="Tribunal claim 3301234/2026"
    )
    held_application = other_people[1][1]
    services.application_legal_hold_set(
        application_id=held_application.pk, by=hr, held=True, reason="Complaint 77"
    )
    kept = serializers.serialize(
        "json", Application.objects.filter(vacancy=vacancy).order_by("pk")
    ) + serializers.serialize("json", Evidence.objects.filter(application__vacancy=vacancy))

    result = retention.erase_due()

    # The held application holds its whole campaign: the decisions it was weighed against
    # (the others' scores, the offer and any s.159 justification) are evidence too.
    assert result["applications"] == {}
    assert (
        serializers.serialize("json", Application.objects.filter(vacancy=vacancy).order_by("pk"))
        + serializers.serialize("json", Evidence.objects.filter(application__vacancy=vacancy))
        == kept
    )
    held_application.refresh_from_db()
    assert held_application.erased_at is None
    assert held_application.statement == "ZSTATEMENT of candidate 2"
    assert Evidence.objects.filter(application=held_application).count() == 3
    # Their accounts stay while they still have applications.
    assert set(User.objects.filter(role=Role.CANDIDATE).values_list("pk", flat=True)) == {
        *(c.pk for c, _ in people),
        *(c.pk for c, _ in other_people),
    }

    assert Application.objects.filter(vacancy=other, erased_at=None).count() == 4
    assert OfferDecision.objects.get(application__vacancy=other).justification != ""

    # The application's hold released: its campaign is erased at the next run, the vacancy
    # still held is not.
    services.application_legal_hold_set(
        application_id=held_application.pk,
        by=hr,
        held=False,
        reason="Complaint closed.",
        confirm=True,
    )
    assert retention.erase_due()["applications"] == {other.pk: 4}
    held_application.refresh_from_db()
    assert held_application.erased_at is not None
    assert held_application.legal_hold_reason == ""  # erased with the rest

    # Released: the next run erases what was held, and nothing else changes.
    vacancy_services.vacancy_legal_hold_set(
        vacancy_id=vacancy.pk, by=hr, held=False, reason="Claim settled.", confirm=True
    )
    assert retention.erase_due()["applications"] == {vacancy.pk: 4}


def test_nothing_is_erased_before_the_retention_period_ends(hr, chair, panel_member):
    vacancy, _people = run_campaign(hr, chair, panel_member, ended_months_ago=5)
    assert retention.erase_due() == {"applications": {}, "accounts": []}
    with override_settings(RETENTION_MONTHS=4):
        assert retention.erase_due()["applications"] == {vacancy.pk: 4}


def test_open_and_closed_campaigns_are_never_erased(hr, chair, panel_member, candidate):
    open_vacancy = VacancyFactory(hiring_manager=chair)
    services.application_submit(candidate=candidate, vacancy=open_vacancy, statement="Hello")
    User.objects.filter(pk=candidate.pk).update(
        last_login=timezone.now() - timedelta(days=400), date_joined=timezone.now()
    )
    assert retention.erase_due() == {"applications": {}, "accounts": []}
    assert Application.objects.get(vacancy=open_vacancy).candidate_id == candidate.pk


def test_a_recently_used_account_is_kept(campaign):
    _vacancy, people = campaign
    User.objects.filter(pk=people[0][0].pk).update(last_login=timezone.now())
    result = retention.erase_due()
    assert result["accounts"] == [c.pk for c, _ in people[1:]]
    assert User.objects.filter(role=Role.CANDIDATE).count() == 1


def test_the_management_command_reports_and_a_dry_run_changes_nothing(campaign, capsys):
    vacancy, _ = campaign
    dump = database_dump()
    call_command("erase_expired_data", "--dry-run")
    out = capsys.readouterr().out
    assert database_dump() == dump
    assert f"1 campaign(s) past the {6}-month retention period: 4 application(s)" in out
    assert "4 candidate account(s)" not in out  # accounts become due only after erasure

    call_command("erase_expired_data")
    out = capsys.readouterr().out
    assert "Erased 4 application(s) of 1 campaign(s)" in out
    assert "Deleted 4 candidate account(s)" in out
    assert Application.objects.filter(vacancy=vacancy, erased_at=None).count() == 0


def test_erased_applications_are_hidden_from_everyone(campaign, hr, client_for):
    vacancy, people = campaign
    application = people[0][1]
    assert client_for(hr).get(f"/api/v1/applications/{application.pk}/").status_code == 200
    retention.erase_due()
    assert client_for(hr).get(f"/api/v1/applications/{application.pk}/").status_code == 404
    listed = client_for(hr).get("/api/v1/applications/", {"vacancy": vacancy.pk}).json()
    assert listed["count"] == 0


def test_the_erasure_is_on_the_nightly_beat_schedule():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["erase-personal-data-past-retention"]
    assert entry["task"] == erase_expired_personal_data.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_erases_once_however_often_the_fan_out_runs(hr, chair, panel_member):
    require(redis_available(), "Redis (REDIS_URL)")
    from celery.contrib.testing.worker import start_worker

    from config.celery_app import app as celery_app

    vacancy, people = run_campaign(hr, chair, panel_member)
    before = all_statistics()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        first = erase_expired_personal_data.delay().get(timeout=30)
        again = erase_vacancy_applications.delay(vacancy.pk).get(timeout=30)
        accounts = erase_expired_personal_data.delay().get(timeout=30)
        # The fan-out does not wait for its per-id tasks: wait for the account deletions.
        for _ in range(100):
            if not User.objects.filter(role=Role.CANDIDATE).exists():
                break
            import time

            time.sleep(0.1)

    assert first == {"vacancies": [vacancy.pk], "accounts": []}
    assert again == 0
    assert accounts == {"vacancies": [], "accounts": [c.pk for c, _ in people]}
    assert Application.objects.filter(vacancy=vacancy, erased_at=None).count() == 0
    assert User.objects.filter(role=Role.CANDIDATE).count() == 0
    assert all_statistics() == before


def test_the_erasure_benchmark_runs_on_synthetic_data(capsys):
    """make bench-erasure, small: the generator, the erasure and the comparison."""
    call_command("bench_erasure", applications=1200)
    out = capsys.readouterr().out
    assert "Generated 1,200 applications to 3 vacancies from 500 candidates" in out
    assert "applications erased: 1,200 in" in out
    assert "candidate accounts deleted: 500 in" in out
    assert "applications left with personal data: 0" in out
    assert "statistics identical before and after: yes" in out
    assert Application.objects.filter(erased_at=None).count() == 0


def test_a_message_queued_before_erasure_is_not_sent_after_it(campaign, mailoutbox):
    from recruitment.applications.notifications import notify

    _, people = campaign
    application = people[1][1]
    retention.erase_due()
    mailoutbox.clear()
    assert notify(application.pk, "not_appointed") is False
    assert mailoutbox == []


def test_failed_sign_ins_are_forgotten_once_their_cool_off_has_passed(eager):
    from axes.models import AccessAttempt

    old = AccessAttempt.objects.create(
        username="amara", ip_address="192.0.2.1", failures_since_start=3
    )
    recent = AccessAttempt.objects.create(
        username="ben", ip_address="192.0.2.2", failures_since_start=5
    )
    AccessAttempt.objects.filter(pk=old.pk).update(
        attempt_time=timezone.now() - timedelta(minutes=16)
    )
    AccessAttempt.objects.filter(pk=recent.pk).update(
        attempt_time=timezone.now() - timedelta(minutes=14)
    )

    erase_expired_personal_data()

    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["ben"]
