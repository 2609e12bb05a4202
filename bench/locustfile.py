"""The API load test (``make bench-load``; bench/load_test.py runs it headless).

``Candidate``: registers a candidate account (``POST /api/v1/auth/register/``), gets a token
(``POST /api/v1/auth/token/``), then over and over lists a page of open vacancies and applies
to one of them it has not applied to yet (``POST /api/v1/applications/`` with evidence for
every essential criterion and a few equality answers). A candidate applies once per vacancy:
when it has applied to every open vacancy it registers as a new candidate.

``Floor``: ``GET /bench/floor/``, a bare DRF view with no authentication and no database
(config/bench_urls.py, only in the load test's URLs): what the server and the framework cost
on their own.

No think time: each simulated user sends its next request as soon as the last one answered,
so the run measures the throughput the server sustains with that many requests in flight.
Any answer other than the expected status counts as an error.
"""

import random
import uuid
from typing import Any

from locust import FastHttpUser, constant, task

#: The API's page size (REST_FRAMEWORK["PAGE_SIZE"]).
PAGE_SIZE = 50
#: Production settings redirect plain HTTP to HTTPS; the load balancer would say it was HTTPS.
HEADERS = {"X-Forwarded-Proto": "https"}

EQUALITY = {
    "ethnicity": ["white_british", "black_african", "asian_indian", "mixed_other", "other_arab"],
    "sex": ["female", "male", "prefer_not_to_say"],
    "age_band": ["16-24", "25-34", "35-44", "45-54", "55-64"],
    "disability_condition": ["yes", "no", "prefer_not_to_say"],
}


class Candidate(FastHttpUser):
    wait_time = constant(0)
    default_headers = HEADERS

    def on_start(self) -> None:
        self.register()

    def register(self) -> None:
        self.token: str | None = None
        self.applied: set[int] = set()
        self.open_count: int | None = None
        self.pages = 1
        name = f"load-{uuid.uuid4().hex[:16]}"
        # Letters a hex username does not use: Django's similarity validator never refuses it.
        password = "".join(random.choices("ghjkmnpqrstvwxyzGHJKMNPQRSTVWXYZ", k=20))  # noqa: S311
        with self.client.post(
            "/api/v1/auth/register/",
            json={
                "username": name,
                "email": f"{name}@example.org",
                "password": password,
                "full_name": "Load Test Candidate",
            },
            name="register",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"status {response.status_code}: {response.text[:200]}")
                return
        with self.client.post(
            "/api/v1/auth/token/",
            json={"username": name, "password": password},
            name="token",
            catch_response=True,
        ) as response:
            token = response.json().get("token") if response.status_code == 200 else None
            if not token:
                response.failure(f"no token: {response.status_code}")
                return
        self.token = token
        self.client.auth_header = f"Token {token}"

    @task
    def list_and_apply(self) -> None:
        if self.token is None or (
            self.open_count is not None and len(self.applied) >= self.open_count
        ):
            self.register()  # a new candidate (the failure, if any, is counted already)
            return
        page = random.randint(1, self.pages)  # noqa: S311 - not for security
        with self.client.get(
            f"/api/v1/vacancies/?status=open&page={page}",
            name="list vacancies",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
            body = response.json()
        self.open_count = body["count"]
        self.pages = max(1, -(-body["count"] // PAGE_SIZE))
        choices = [v for v in body["results"] if v["id"] not in self.applied]
        if not choices:
            return
        vacancy = random.choice(choices)  # noqa: S311
        self.client.post(
            "/api/v1/applications/",
            json=application(vacancy),
            name="submit application",
        )
        self.applied.add(vacancy["id"])


def application(vacancy: dict[str, Any]) -> dict[str, Any]:
    essential = [c for c in vacancy["criteria"] if c["kind"] == "essential"]
    return {
        "vacancy": vacancy["id"],
        "statement": "Six years of casework for a housing association, the last two leading "
        "a small team. " * 4,
        "evidence": [
            {"criterion": c["id"], "text": "I ran a caseload of 40 households a year. " * 3}
            for c in essential
        ],
        "interview_guarantee": None,
        "positive_action": False,
        "equality": {k: random.choice(v) for k, v in EQUALITY.items()},  # noqa: S311
    }


class Floor(FastHttpUser):
    wait_time = constant(0)
    default_headers = HEADERS

    @task
    def floor(self) -> None:
        self.client.get("/bench/floor/", name="floor (bare DRF view)")
