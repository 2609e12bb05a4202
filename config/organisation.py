"""The employer this deployment recruits for, read from the environment (django-environ) and
imported into config/settings.py (kept apart: that module is at the 500-line limit).

One deployment is one organisation (a council, an NHS trust). Its name is the hiring
organisation in each open job page's structured data for search engines
(vacancies/structured_data.py) and the author of the job feed (vacancies/feeds.py); its
website and logo, absolute URLs, are given there only when set. README "Configuration".
"""

import environ

env = environ.Env()

ORGANISATION_NAME = env.str("ORGANISATION_NAME", default="Example Council")
ORGANISATION_URL = env.str("ORGANISATION_URL", default="")
ORGANISATION_LOGO_URL = env.str("ORGANISATION_LOGO_URL", default="")

__all__ = ["ORGANISATION_LOGO_URL", "ORGANISATION_NAME", "ORGANISATION_URL"]
