"""Words, not codes: every page of the demo data, as each of its people reaches it by
following links, shows no snake_case code and no code glued into a word ("Notdisabled",
"Partiallyagreed"); nor do the CSV downloads linked from them, nor the e-mails sent."""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import models
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db

#: A snake_case code: two or more lower-case words joined by underscores.
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
#: Pages a person reaches per role, at most, and of each kind of page (the same template with
#: other data): enough for every kind of page the demo has.
MAX_PAGES = 200
PER_SHAPE = 3
#: Not pages to read: signing out, the API and its documentation (but the CSV downloads the
#: pages link to), files.
SKIP = ("/accounts/logout/", "/api/", "/static/", "/admin/", "/oidc/")


def glued_codes():
    """Every choice code with an underscore, as it shows when the underscores are dropped."""
    glued = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "choices", None) or []:
                if isinstance(value, str) and "_" in value:
                    glued.add(value.replace("_", "").lower())
    for choices in models.TextChoices.__subclasses__():
        for value in choices.values:
            if "_" in value:
                glued.add(value.replace("_", "").lower())
    return glued


class Text(HTMLParser):
    """The words a person reads: text outside scripts and styles, and the labels they hear
    (alt, title, aria-label, placeholder, a button's value)."""

    READ = ("alt", "title", "aria-label", "placeholder")

    def __init__(self):
        super().__init__()
        self.words, self.links, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        self.words += [attrs[a] for a in self.READ if attrs.get(a)]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.words.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.words.append(data)


def problems_in(text, glued):
    found = set(SNAKE.findall(text))
    found |= {w for w in re.findall(r"\b[A-Za-z]{6,}\b", text) if w.lower() in glued}
    return found


def shape(path):
    """A page's kind: its path with the ids taken out (a vacancy's page stands for them all)."""
    return re.sub(r"\d+", "N", path)


def crawl(client, glued):
    seen, queue, found, shapes = set(), ["/", "/staff/"], {}, {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        download = "format=csv" in path  # a CSV a page links to, under /api/ or not
        skipped = path.startswith(SKIP) and not download
        if path in seen or skipped or shapes.get(shape(path), 0) >= PER_SHAPE:
            continue
        seen.add(path)
        shapes[shape(path)] = shapes.get(shape(path), 0) + 1
        response = client.get(path)
        kind = response.get("Content-Type", "")
        if response.status_code != 200:
            continue
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode("utf-8", "replace")
        if kind.startswith("text/csv"):
            text = body  # a CSV a page links to is for a person: its headings too
        elif kind.startswith("text/html"):
            parser = Text()
            parser.feed(body)
            text = " ".join(parser.words)
            for href in parser.links:
                target = urlparse(urljoin(path, href))
                if target.netloc in ("", "testserver") and not target.fragment:
                    link = target.path + (f"?{target.query}" if target.query else "")
                    # One page of a list stands for the others; a CSV of any list is read.
                    if "page=" not in target.query and link not in seen:
                        queue.append(link)
        else:
            continue
        if bad := problems_in(text, glued):
            found[path] = sorted(bad)
    return seen, found


def test_no_page_shows_a_code(eager, django_capture_on_commit_callbacks):
    """The demo is made once (it holds last year's 5,000 applications), then each of its
    people reads what they can reach."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    glued = glued_codes()
    found, reached = {}, {}
    for username in ("hr", "manager", "panel1", "amara"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        seen, bad = crawl(client, glued)
        reached[username] = len(seen)
        found |= {f"{username} {path}": codes for path, codes in bad.items()}

    assert min(reached.values()) >= 10, reached
    assert found == {}
    sent = {m.subject: problems_in(m.subject + "\n" + m.body, glued) for m in mail.outbox}
    assert {subject: bad for subject, bad in sent.items() if bad} == {}
