"""The API's browsable pages under the content security policy (config/settings.py).

The service's own pages keep the strict policy. These third-party pages get their own:

- Swagger UI (/api/docs/): drf-spectacular's split view serves its start-up script as a file
  (``?script``), so scripts stay 'self'; the template's one inline <style> carries the nonce
  (templates/drf_spectacular/swagger_ui.html).
- ReDoc (/api/redoc/): its bundle injects <style> elements at run time (styled-components)
  and parses the schema in a worker started from a blob: URL, so that page alone allows
  inline styles and blob: workers; its template loads no web fonts from elsewhere.
- DRF's browsable API: see kernel/api_renderers.py.
"""

from csp.constants import NONCE, SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

swagger_ui = csp_update({"style-src": [NONCE]})(
    SpectacularSwaggerSplitView.as_view(url_name="schema")
)

redoc = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
    SpectacularRedocView.as_view(url_name="schema")
)
