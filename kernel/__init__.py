"""The shared kernel: what every domain app uses and none owns.

- ``errors``: the domain errors services raise (the API answers 409 with their code);
- ``transitions``: the one runner of state-machine transitions (permission, guard, refusal,
  audit row);
- ``audit``: the audit trail, both of its logs named in one place;
- ``mail``: every message composed from its two templates (subject, body), links from
  ``SITE_URL``, sent with failures told apart as transient or permanent (the services queue
  sends on commit through Celery, whose tasks retry the transient ones);
- ``legal_hold``: placing and releasing a legal hold on a vacancy or an application;
- ``text``, ``forms``: single-line text checks and GOV.UK form plumbing for the pages;
- ``api``, ``api_schema``, ``api_parsers``, ``api_renderers``: the REST API's plumbing
  (error envelope, paging, OpenAPI, JSON parsing, browsable pages).

It imports no domain app (``accounts`` aside, for the user model's roles).
"""
