"""The API's one body parser: JSON, refusing what would crash the decoder.

Python's ``json`` decoder recurses once per nesting level and raises ``RecursionError`` at
about a thousand: a 2 KB body of ``[`` would answer 500 on every endpoint that reads a body,
signing in and registering included. No body the service takes nests more than a few levels,
so such a body is refused as invalid JSON (400 with the envelope)."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
