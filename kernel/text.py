"""Single-line text: a title, a reference, a name. It goes into e-mail subjects and headers,
CSV cells and page titles, where a line break or another control character breaks the
message (``BadHeaderError``) or lets text pose as a header. Refused at the door, by the
services, so the API and the pages give the same answer."""

from __future__ import annotations

import unicodedata

SINGLE_LINE_MESSAGE = "Must be a single line without control characters."


def is_single_line(text: str) -> bool:
    """No control character (tab, CR, LF, NUL, escape...) and no line or paragraph separator."""
    return not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text)


def one_line(text: str) -> str:
    """Text made single-line for a header, for rows stored before the rule: each run of
    control characters and separators becomes one space."""
    out: list[str] = []
    for c in text:
        if unicodedata.category(c) in ("Cc", "Zl", "Zp"):
            if out and out[-1] != " ":
                out.append(" ")
        else:
            out.append(c)
    return "".join(out).strip()


def single_line_errors(**fields: str) -> dict[str, list[str]]:
    """field → [message] for each field that is not a single line."""
    return {
        name: [SINGLE_LINE_MESSAGE] for name, value in fields.items() if not is_single_line(value)
    }


#: Characters that reorder the text around them, so that it reads one way and says another:
#: the embeddings, overrides and isolates.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def written_text_errors(name: str, value: str, missing: str) -> dict[str, list[str]]:
    """``{name: [message]}`` for free text that says nothing (blank, or only invisible
    characters such as zero-width spaces: ``missing``) or holds direction controls; else {}."""
    if any(c in BIDI_CONTROLS for c in value):
        return {name: ["Remove the hidden characters that change the text's direction."]}
    if not any(c.isalnum() for c in value):
        return {name: [missing]}
    return {}
