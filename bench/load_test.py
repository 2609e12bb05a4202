"""The API load test end to end: ``make bench-load`` runs this with the virtualenv's Python.

1. recreates the PostgreSQL database (``recruitment_load`` by default), migrates it and adds
   open vacancies (``manage.py seed_load_test``), all with config.bench_settings (production
   settings plus ``/bench/floor/``);
2. starts gunicorn as in production (config/gunicorn.py, ``--workers`` sync workers, JSON logs
   into a file) on ``--port``;
3. runs locust headless (bench/locustfile.py): ``Candidate`` with ``--users`` users for
   ``--run-time``, then ``Floor`` the same way;
4. prints a table per request type (requests, req/s, p50, p95, p99, errors), appends it to
   ``--report`` if given, and exits 1 if any request failed.

The load generator, gunicorn, PostgreSQL and Redis share the machine.
"""

import argparse
import csv
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PHASES = [("Candidate", "API: register, token, list vacancies, apply"), ("Floor", "floor")]


def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"unexpected database name {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 - this interpreter, this project's manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True
    )


@contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - the virtualenv's gunicorn
            [str(BIN / "gunicorn"), "config.wsgi", "--config", "python:config.gunicorn"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(proc: subprocess.Popen[bytes], base: str, timeout: float = 60) -> None:
    request = urllib.request.Request(  # noqa: S310 - http on localhost
        f"{base}/healthz", headers={"X-Forwarded-Proto": "https"}
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}: see its log above")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {base}/healthz with 200 within {timeout} s")


def run_locust(user_class: str, base: str, args: argparse.Namespace, prefix: Path) -> int:
    command = [
        str(BIN / "locust"),
        "--locustfile",
        str(ROOT / "bench/locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        args.run_time,
        "--host",
        base,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        user_class,
    ]
    print(f"\n== locust {user_class}: {args.users} users for {args.run_time}", flush=True)
    return subprocess.run(command, cwd=ROOT, check=False).returncode  # noqa: S603


def read_stats(prefix: Path) -> list[dict[str, str]]:
    with Path(f"{prefix}_stats.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def table(rows: list[tuple[str, dict[str, str]]]) -> str:
    lines = [
        "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r in rows:
        lines.append(
            f"| {label} | {int(r['Request Count']):,} | {float(r['Requests/s']):.1f} "
            f"| {r['50%']} | {r['95%']} | {r['99%']} | {int(r['Failure Count'])} |"
        )
    return "\n".join(lines)


ENDPOINTS = {
    "register": "`POST /api/v1/auth/register/`",
    "token": "`POST /api/v1/auth/token/`",
    "list vacancies": "`GET /api/v1/vacancies/?status=open&page=N`",
    "submit application": "`POST /api/v1/applications/`",
    "floor (bare DRF view)": "`GET /bench/floor/` (bare DRF view: the floor)",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/recruitment_load"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--run-time", default="60s")
    parser.add_argument("--vacancies", type=int, default=200)
    parser.add_argument("--report", type=Path, help="append the results (Markdown) here")
    args = parser.parse_args()
    args.port = args.port or free_port()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.bench_settings",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORT": str(args.port),
        "WEB_CONCURRENCY": str(args.workers),
        # Persistent database connections, as README "Running at scale" recommends.
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
    }
    base = f"http://127.0.0.1:{args.port}"
    print(f"Recreating {urlsplit(args.database_url).path.lstrip('/')}, migrating, seeding")
    recreate_database(args.database_url)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "seed_load_test", "--vacancies", str(args.vacancies))

    results: list[tuple[str, dict[str, str]]] = []
    exit_codes = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        log = Path(tmp) / "gunicorn.log"
        with gunicorn(env, log) as proc:
            try:
                wait_healthy(proc, base)
            except SystemExit:
                print(log.read_text(), file=sys.stderr)
                raise
            for user_class, _ in PHASES:
                prefix = Path(tmp) / user_class
                exit_codes.append(run_locust(user_class, base, args, prefix))
                for row in read_stats(prefix):
                    if row["Name"] != "Aggregated":
                        results.append((ENDPOINTS.get(row["Name"], row["Name"]), row))
        errors_logged = sum(
            1 for line in log.read_text().splitlines() if '"level": "ERROR"' in line
        )

    failures = sum(int(r["Failure Count"]) for _, r in results)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    summary = (
        f"{when}: gunicorn {args.workers} sync workers, {args.users} users for "
        f"{args.run_time} per phase, {args.vacancies} open vacancies, "
        f"{os.cpu_count()} CPUs shared by locust, gunicorn, PostgreSQL and Redis\n\n"
        f"{table(results)}\n"
    )
    print("\n" + summary)
    print(f"Errors: {failures} failed requests, {errors_logged} ERROR lines in gunicorn's log")
    if args.report:
        with args.report.open("a") as f:
            f.write(summary + "\n")
    return 1 if failures or errors_logged or any(exit_codes) else 0


if __name__ == "__main__":
    sys.exit(main())
