"""DRF's browsable API under the content security policy (config/settings.py).

Its pages (an API endpoint opened in a browser) use inline style attributes and Pygments'
<style>, so its HTML responses alone allow inline styles; scripts stay 'self'. Kept apart
from config/api_docs.py: DRF imports this while drf-spectacular's views are loading.
"""

from typing import Any

from csp.constants import UNSAFE_INLINE
from rest_framework.renderers import BrowsableAPIRenderer


class BrowsableAPIRendererWithInlineStyles(BrowsableAPIRenderer):
    """DRF's browsable API, marking its HTML responses as needing inline styles."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Any = None,
    ) -> Any:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = {"style-src": [UNSAFE_INLINE]}
        return super().render(data, accepted_media_type, renderer_context)
