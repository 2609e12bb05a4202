"""Settings for the API load test only (``make bench-load``): production settings with the
framework-floor endpoint added (config/bench_urls.py). Never deploy with these."""

from config.production import *  # noqa: F403

ROOT_URLCONF = "config.bench_urls"
