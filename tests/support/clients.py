"""Clients for the tests: one for the pages (a signed-in browser session), one for the API
(token authentication, as integrations use), and the banner a page showed."""

import uuid

from django.contrib.messages import get_messages
from django.test import Client
from rest_framework.test import APIClient


def page_client(user=None):
    """A client for the web pages, signed in as ``user`` (or nobody)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_client(user=None):
    """A client for the API, authenticated as ``user`` (or nobody)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def banner(response):
    """The messages (success or error banners) the page showed."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def an_address_of_its_own():
    """A client address no other test (nor an earlier run against the same Redis) has used, so
    the per-address throttles, whose counts live in the shared cache, start at zero."""
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"
