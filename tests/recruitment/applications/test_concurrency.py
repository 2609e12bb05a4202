"""Transitions and scoring under contention, on the real PostgreSQL (row locks)."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_fsm_log.models import StateLog

from accounts.models import Role
from adjustments import services as adjustment_services
from adjustments.models import AdjustmentRequest, Reminder
from adjustments.services import adjustments_send_reminders
from kernel.errors import DomainError
from recruitment.applications import services
from recruitment.applications.notifications import notify, scoring_reminders_send
from recruitment.applications.services import (
    application_reject,
    application_shortlist,
    application_withdraw,
)
from recruitment.models import (
    AgreedAssessment,
    AgreedScore,
    Application,
    Notification,
    Score,
    ScoringReminder,
)
from recruitment.scoring import decisions
from recruitment.scoring import services as scoring_services
from recruitment.scoring.services import ScoreInput, agreed_scores_set, scores_submit
from tests.conftest import require
from tests.support.factories import (
    ApplicationFactory,
    GuaranteeDeclarationFactory,
    UserFactory,
    agree,
    set_vacancy_status,
)
from vacancies.models import Vacancy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race_all(actions):
    """Run each action in its own thread, all released together; return what each one got,
    in the order of ``actions``: its return value, the refusal's code, or any other error."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, action):
        barrier.wait()
        try:
            results[index] = action()
        except DomainError as exc:
            results[index] = exc.code
        except Exception as exc:  # noqa: BLE001 (a deadlock, a duplicate row: shown, not lost)
            results[index] = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def race(n, action):
    """Run ``action`` in ``n`` threads released together; return what each one got."""
    return race_all([action] * n)


class LockOrder:
    """The order in which racing service calls got the application row. Each holds it to
    its commit, so this is the order they committed in. A call says who it is by setting
    ``me.value`` in its own thread before calling the service."""

    def __init__(self):
        self.order = []
        self.me = threading.local()
        self.guard = threading.Lock()


@pytest.fixture
def lock_order(monkeypatch):
    seen = LockOrder()
    real = services.locked

    def locked(application_id):
        application = real(application_id)
        with seen.guard:
            seen.order.append(seen.me.value)
        return application

    # Both the application services and the scoring services (which import it) lock
    # through ``locked``: record either.
    monkeypatch.setattr(services, "locked", locked)
    monkeypatch.setattr(scoring_services, "locked", locked)
    return seen


def history(obj):
    return list(StateLog.objects.for_(obj).order_by("pk").values_list("transition", flat=True))


def test_ten_threads_racing_to_shortlist_one_application_let_exactly_one_through(
    vacancy, chair, candidate
):
    require(connection.vendor == "postgresql", "PostgreSQL")
    set_vacancy_status(vacancy, "closed")
    application = ApplicationFactory(vacancy=vacancy, candidate=candidate)

    results = race(
        10, lambda: application_shortlist(application_id=application.pk, by=chair) and "ok"
    )

    assert Counter(results) == {"ok": 1, "invalid_transition": 9}
    assert Application.objects.get(pk=application.pk).state == "shortlisted"
    assert StateLog.objects.filter(object_id=application.pk, transition="shortlist").count() == 1


def test_concurrent_scoring_by_one_member_keeps_one_row_per_criterion(
    vacancy, panel_member, candidate
):
    require(connection.vendor == "postgresql", "PostgreSQL")
    application = ApplicationFactory(vacancy=vacancy, candidate=candidate)
    criteria = list(vacancy.criteria.all())

    def score(value):
        return lambda: (
            scores_submit(
                application_id=application.pk,
                by=panel_member,
                stage="shortlisting",
                scores=[ScoreInput(c.pk, value) for c in criteria],
            )
            or "ok"
        )

    values = iter(range(10))
    results = race(10, lambda: score(next(values) % 5)())

    assert results == ["ok"] * 10
    rows = Score.objects.filter(application=application, scorer=panel_member)
    assert rows.count() == len(criteria)
    # Each submission wrote all criteria together: the last one wins whole, never a mix.
    assert len({row.score for row in rows}) == 1


def test_ten_threads_racing_for_the_last_interview_place_let_exactly_one_through(vacancy, chair):
    require(connection.vendor == "postgresql", "PostgreSQL")
    from vacancies.models import Vacancy

    set_vacancy_status(vacancy, "closed")
    Vacancy.objects.filter(pk=vacancy.pk).update(
        interview_limit=1, interview_limit_reason="Peak season."
    )
    ids = iter([ApplicationFactory(vacancy=vacancy).pk for _ in range(10)])
    lock = threading.Lock()

    def shortlist_one():
        with lock:
            pk = next(ids)
        return application_shortlist(application_id=pk, by=chair) and "ok"

    results = race(10, shortlist_one)

    assert Counter(results) == {"ok": 1, "interview_limit_reached": 9}
    assert Application.objects.filter(vacancy=vacancy, state="shortlisted").count() == 1


# --- Scores: no lost update, no duplicate, the last committed wins whole ------------------------


def test_two_members_each_scoring_five_times_at_once_keep_exactly_their_last_committed_scores(
    vacancy, panel_member, other_panel_member, candidate, lock_order
):
    require(connection.vendor == "postgresql", "PostgreSQL")
    application = ApplicationFactory(vacancy=vacancy, candidate=candidate)
    criteria = list(vacancy.criteria.order_by("pk"))

    def marks(k):
        """Submission ``k``: a different score on each criterion, and a note naming it."""
        return [((k + i) % 5, f"submission {k}") for i in range(len(criteria))]

    def submit(member, k):
        def run():
            lock_order.me.value = (member.pk, k)
            scores_submit(
                application_id=application.pk,
                by=member,
                stage="shortlisting",
                scores=[
                    ScoreInput(c.pk, score, note)
                    for c, (score, note) in zip(criteria, marks(k), strict=True)
                ],
            )
            return "ok"

        return run

    results = race_all(
        [submit(member, k) for k in range(5) for member in (panel_member, other_panel_member)]
    )

    assert results == ["ok"] * 10
    assert len(lock_order.order) == 10
    last = dict(lock_order.order)  # member → their submission committed last
    assert set(last) == {panel_member.pk, other_panel_member.pk}
    expected = {
        (member, c.pk): mark
        for member, k in last.items()
        for c, mark in zip(criteria, marks(k), strict=True)
    }
    rows = Score.objects.filter(application=application, stage="shortlisting")
    assert {(r.scorer_id, r.criterion_id): (r.score, r.note) for r in rows} == expected
    assert rows.count() == 2 * len(criteria)  # no duplicate


def test_agreed_scores_set_at_once_by_the_chair_and_hr_are_the_last_committed_whole(
    vacancy, chair, hr, candidate, lock_order
):
    require(connection.vendor == "postgresql", "PostgreSQL")
    set_vacancy_status(vacancy, "closed")
    application = ApplicationFactory(vacancy=vacancy, candidate=candidate)
    criteria = list(vacancy.criteria.order_by("pk"))

    def agree_at_once(user, k):
        def run():
            lock_order.me.value = (user.pk, k)
            agreed_scores_set(
                application_id=application.pk,
                by=user,
                stage="shortlisting",
                scores=[ScoreInput(c.pk, (k + i) % 5) for i, c in enumerate(criteria)],
                note=f"agreement {k}",
            )
            return "ok"

        return run

    results = race_all([agree_at_once(user, k) for k in range(4) for user in (chair, hr)])

    assert results == ["ok"] * 8
    user, k = lock_order.order[-1]
    agreed = AgreedAssessment.objects.get(application=application, stage="shortlisting")
    assert (agreed.agreed_by_id, agreed.note) == (user, f"agreement {k}")
    assert dict(
        AgreedScore.objects.filter(assessment=agreed).values_list("criterion_id", "score")
    ) == {c.pk: (k + i) % 5 for i, c in enumerate(criteria)}
    assert AgreedAssessment.objects.filter(application=application).count() == 1


# --- A state change against another, or against agreeing scores ------------------------------


def test_shortlisting_and_rejecting_at_once_let_exactly_one_through(vacancy, chair, candidate):
    require(connection.vendor == "postgresql", "PostgreSQL")
    set_vacancy_status(vacancy, "closed")
    application = ApplicationFactory(vacancy=vacancy, candidate=candidate)
    agree(application, [1, 1, 1])

    results = race_all(
        [
            lambda: application_shortlist(application_id=application.pk, by=chair) and "ok",
            lambda: (
                application_reject(
                    application_id=application.pk, by=chair, reason="Does not meet the essentials."
                )
                and "ok"
            ),
        ]
    )

    assert sorted(results) == ["invalid_transition", "ok"]
    won = ["shortlist", "reject_at_sift"][results.index("ok")]
    assert history(Application.objects.get(pk=application.pk)) == [won]
    assert (
        Application.objects.get(pk=application.pk).state
        == {
            "shortlist": "shortlisted",
            "reject_at_sift": "not_shortlisted",
        }[won]
    )


def test_withdrawing_while_being_shortlisted_always_ends_withdrawn_with_a_true_history(
    vacancy, chair, candidate
):
    """Withdrawing is allowed from shortlisted too: either the withdrawal comes first and the
    shortlisting is refused, or the shortlisting comes first and the withdrawal follows it.
    Never shortlisted after withdrawing, and the history says what happened, in order."""
    require(connection.vendor == "postgresql", "PostgreSQL")
    set_vacancy_status(vacancy, "closed")
    seen = Counter()
    for _ in range(3):
        application = ApplicationFactory(vacancy=vacancy)
        owner = application.candidate

        results = race_all(
            [
                lambda a=application, o=owner: (
                    application_withdraw(application_id=a.pk, by=o) and "ok"
                ),
                lambda a=application: application_shortlist(application_id=a.pk, by=chair) and "ok",
            ]
        )

        application.refresh_from_db()
        assert application.state == "withdrawn"
        expected = {
            ("ok", "invalid_transition"): ["withdraw"],
            ("ok", "ok"): ["shortlist", "withdraw"],
        }
        assert history(application) == expected[tuple(results)]
        seen[tuple(results)] += 1
    assert sum(seen.values()) == 3


@pytest.mark.parametrize("round_", range(3))
def test_agreeing_scores_while_the_chair_rejects_leaves_the_guarantee_reading_what_was_kept(
    round_, vacancy, chair, hr
):
    """A candidate who declared a scheme, agreed below the pass mark on one essential, while
    HR agrees new scores that meet the minimum criteria and the chair rejects on merit:
    either HR comes first and the rejection rests on the new scores, or the rejection comes
    first and the scores can no longer change. Either way, completing the sift invites the
    candidate exactly when the scores kept meet the minimum criteria."""
    require(connection.vendor == "postgresql", "PostgreSQL")
    set_vacancy_status(vacancy, "closed")
    application = ApplicationFactory(vacancy=vacancy)
    GuaranteeDeclarationFactory(application=application, scheme="disability_confident")
    agree(application, [4, 1, 4])
    criteria = list(vacancy.criteria.all())

    results = race_all(
        [
            lambda: (
                agreed_scores_set(
                    application_id=application.pk,
                    by=hr,
                    stage="shortlisting",
                    scores=[ScoreInput(c.pk, s) for c, s in zip(criteria, [4, 2, 4], strict=True)],
                )
                and "ok"
            ),
            lambda: (
                application_reject(
                    application_id=application.pk, by=chair, reason="Others were stronger."
                )
                and "ok"
            ),
        ]
    )
    done = decisions.sift_complete(vacancy_id=vacancy.pk, by=chair, confirm=True)

    application.refresh_from_db()
    agreed = [
        s.score
        for s in AgreedScore.objects.filter(assessment__application=application).order_by(
            "criterion__position", "criterion_id"
        )
    ]
    outcomes = {
        ("ok", "ok"): ("shortlisted", [4, 2, 4], [application.reference]),
        ("invalid_transition", "ok"): ("not_shortlisted", [4, 1, 4], []),
    }
    assert tuple(results) in outcomes, results
    assert (application.state, agreed, done.invited) == outcomes[tuple(results)]


@pytest.mark.parametrize("round_", range(3))
def test_no_decision_or_withdrawal_slips_past_the_completion_of_the_sift(
    round_, vacancy, chair, candidate
):
    """Completing the sift races the last rejection and a candidate's withdrawal of an
    application not yet known to be unsuccessful: completion sees either all of them done or
    refuses (``sift_incomplete``); a withdrawal after it is refused. Never a sift complete
    with an application undecided, nor a candidate withdrawing after being told."""
    require(connection.vendor == "postgresql", "PostgreSQL")
    set_vacancy_status(vacancy, "closed")
    last = ApplicationFactory(vacancy=vacancy)
    told = ApplicationFactory(vacancy=vacancy, candidate=candidate)
    for application in (last, told):
        agree(application, [1, 1, 1])
    application_reject(application_id=told.pk, by=chair, reason="Others were stronger.")

    results = race_all(
        [
            lambda: decisions.sift_complete(vacancy_id=vacancy.pk, by=chair, confirm=True) and "ok",
            lambda: application_reject(application_id=last.pk, by=chair, reason="No.") and "ok",
            lambda: application_withdraw(application_id=told.pk, by=candidate) and "ok",
        ]
    )

    completed = Vacancy.objects.get(pk=vacancy.pk).sift_completed_at is not None
    last.refresh_from_db()
    told.refresh_from_db()
    assert results[1] == "ok"  # the rejection is never refused: the sift waits for it
    assert last.state == "not_shortlisted"
    if completed:
        assert results[0] == "ok"
        # The withdrawal came before completion (then done), or after it (then refused)
        assert (results[2], told.state) in {
            ("ok", "withdrawn"),
            ("invalid_transition", "not_shortlisted"),
        }
    else:
        assert results[0] == "sift_incomplete"
        assert (results[2], told.state) == ("ok", "withdrawn")


# --- Adjustment decisions ------------------------------------------------------------------------


def test_six_decisions_at_once_on_one_adjustment_request_let_exactly_one_through(application, hr):
    require(connection.vendor == "postgresql", "PostgreSQL")
    adjustment = AdjustmentRequest.objects.create(
        application=application, stage="interview", category="extra_time", details="Private."
    )
    adjustment_services.adjustment_review(adjustment_id=adjustment.pk, by=hr)
    decisions = {
        "agree": lambda: adjustment_services.adjustment_agree(
            adjustment_id=adjustment.pk, by=hr, arrangement="25% extra time."
        ),
        "partially_agree": lambda: adjustment_services.adjustment_partially_agree(
            adjustment_id=adjustment.pk,
            by=hr,
            arrangement="10% extra time.",
            reason="The exercise is timed.",
        ),
        "decline": lambda: adjustment_services.adjustment_decline(
            adjustment_id=adjustment.pk, by=hr, reason="Not needed for this stage."
        ),
    }
    names = list(decisions) * 2

    results = race_all([lambda n=name: decisions[n]() and n for name in names])

    assert Counter(results)["invalid_transition"] == 5
    (won,) = [r for r in results if r != "invalid_transition"]
    adjustment.refresh_from_db()
    assert history(adjustment) == ["review", won]
    assert (
        adjustment.state
        == {
            "agree": "agreed",
            "partially_agree": "partially_agreed",
            "decline": "declined",
        }[won]
    )
    assert (adjustment.arrangement, adjustment.decline_reason) == {
        "agree": ("25% extra time.", ""),
        "partially_agree": ("10% extra time.", "The exercise is timed."),
        "decline": ("", "Not needed for this stage."),
    }[won]
    assert adjustment.decided_by_id == hr.pk


# --- Messages sent at most once, whoever runs the sending at the same time ---------------------


def test_the_same_candidate_message_sent_by_five_workers_at_once_goes_once(application, mailoutbox):
    """As when a task is delivered twice (a visibility timeout shorter than the task): the
    claim row and the send share a transaction on the locked application row."""
    require(connection.vendor == "postgresql", "PostgreSQL")

    results = race(5, lambda: notify(application.pk, "shortlisted"))

    assert Counter(results) == {True: 1, False: 4}
    assert [m.to for m in mailoutbox] == [[application.candidate.email]]
    assert Notification.objects.filter(application=application).count() == 1


def test_reminder_runs_at_once_remind_of_each_thing_once(
    vacancy, chair, panel_member, other_panel_member, mailoutbox
):
    require(connection.vendor == "postgresql", "PostgreSQL")
    UserFactory(role=Role.HR, email="coordinator@example.org")
    closed = set_vacancy_status(vacancy, "closed")
    Vacancy.objects.filter(pk=closed.pk).update(closed_at=timezone.now() - timedelta(days=3))
    applications = [
        ApplicationFactory(vacancy=closed, interview_at=timezone.now() + timedelta(days=1))
        for _ in range(3)
    ]
    requests = [
        AdjustmentRequest.objects.create(
            application=a, stage="interview", category="extra_time", details="Private."
        )
        for a in applications
    ]

    adjustment_runs = race(3, adjustments_send_reminders)
    scoring_runs = race(3, scoring_reminders_send)

    reminded = sorted(pk for run in adjustment_runs for pk in run["reminder"])
    assert reminded == sorted(r.pk for r in requests)
    assert sorted((s["member"], tuple(s["applications"])) for run in scoring_runs for s in run) == [
        (member.pk, tuple(a.pk for a in applications))
        for member in sorted((panel_member, other_panel_member), key=lambda m: m.pk)
    ]
    assert len(mailoutbox) == 3 + 2
    assert Reminder.objects.count() == 3
    assert ScoringReminder.objects.count() == 3 * 2
