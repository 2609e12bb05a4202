"""Celery tasks: thin interfaces over services."""

from celery import shared_task

from vacancies.services import vacancies_close_expired


@shared_task(acks_late=True)
def close_expired_vacancies() -> list[int]:
    """Periodic (beat, every minute): close vacancies whose closing date has passed."""
    return vacancies_close_expired()
