"""Domain errors raised by services, whoever calls them (API, web page, task).

The API maps a ``DomainError`` to 409 with its ``code`` (docs/api.md); the web pages show
its ``detail``. Input errors are Django ``ValidationError``s with a field dict (API → 400).
"""


class DomainError(Exception):
    """A domain rule refuses the action."""

    #: One of the 409 codes of the public API.
    CODES = frozenset(
        {
            "invalid_transition",
            # In the original contract, a sift rejection refused for a guaranteed candidate.
            # No longer raised: the merit decision is blind and the guarantee is applied
            # when the sift is completed (README, "Where this differs").
            "interview_guarantee",
            "assessment_incomplete",
            "vacancy_not_open",
            "vacancy_open",
            "duplicate_application",
            "positive_action_not_applicable",
            # Added by this service (README, "Where this differs from the original API
            # contract"): shortlisting beyond a vacancy's high-volume interview limit.
            "interview_limit_reached",
            # The exact statutory return of a reporting year that has not finished, or of
            # too few people (docs/disclosure-control.md).
            "not_releasable",
            # The decision record (docs/api.md): an interview recorded as held before its
            # time; an offer on agreed interview scores that a later score change reopened.
            "interview_not_held",
            "assessment_out_of_date",
            # Completing the sift (docs/api.md): applications still undecided; done already.
            "sift_incomplete",
            "sift_complete",
            # An offer while shortlisted candidates are still to be interviewed.
            "interviews_outstanding",
            # A decision over a range of the ranking while another is still running.
            "decision_run_open",
            # Interview slots (docs/api.md): a slot someone holds (booked, or booked first in
            # a race); a slot the candidate's agreed adjustments or the notice rule leave
            # out; a booked interview too close to change without the recruitment team.
            "slot_taken",
            "slot_not_offered",
            "too_late_to_change",
            # A reporting year's equality report published a second time (docs/api.md).
            "already_published",
            # A candidate's feedback from the scores (docs/api.md): turned off for the
            # vacancy; nothing to give yet (no decision told, or the stage still moving).
            "feedback_not_offered",
            "feedback_not_ready",
        }
    )

    def __init__(self, code: str, detail: str) -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown domain error code {code!r}")
        super().__init__(detail)
        self.code = code
        self.detail = detail


class ActionForbidden(Exception):
    """The caller can see the object but may not take this action (API → 403)."""

    def __init__(self, detail: str = "You may not do this.") -> None:
        super().__init__(detail)
        self.detail = detail
