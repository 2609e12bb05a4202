"""The interview slot rules (recruitment/interviews/, docs/domain.md "Interview slots and
adjustments"), read from the environment (django-environ) and imported into
config/settings.py (kept apart: that module is at the 500-line limit). README
"Configuration"."""

import environ

env = environ.Env()

#: Interview slots (recruitment/interviews/): a candidate books, moves or cancels a slot up to
#: this many hours before it starts; after that they ask the recruitment team.
INTERVIEW_NOTICE_HOURS = env.int("INTERVIEW_NOTICE_HOURS", default=24)
#: Communication support (a BSL interpreter, a lipspeaker, speech-to-text) has to be booked,
#: and Access to Work applied to, ahead: slots sooner than this many days are not offered to
#: a candidate whose agreed adjustment is communication support.
INTERVIEW_SUPPORT_LEAD_DAYS = env.int("INTERVIEW_SUPPORT_LEAD_DAYS", default=14)
#: Agreed extra time whose decision gives no number of minutes lengthens a slot by this
#: share of its length (rounded up to 5 minutes); 25% is the usual exam-access figure.
INTERVIEW_EXTRA_TIME_PERCENT = env.int("INTERVIEW_EXTRA_TIME_PERCENT", default=25)
#: Interview slots are published at most this many days ahead.
INTERVIEW_SLOT_HORIZON_DAYS = env.int("INTERVIEW_SLOT_HORIZON_DAYS", default=365)

__all__ = [
    "INTERVIEW_EXTRA_TIME_PERCENT",
    "INTERVIEW_NOTICE_HOURS",
    "INTERVIEW_SLOT_HORIZON_DAYS",
    "INTERVIEW_SUPPORT_LEAD_DAYS",
]
