from typing import Any

from django.conf import settings
from django.http import HttpRequest

SERVICE_NAME = "Apply for a job with us"


def service(request: HttpRequest) -> dict[str, Any]:
    return {"service_name": SERVICE_NAME, "single_sign_on": settings.OIDC_ENABLED}
