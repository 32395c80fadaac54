from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts.forms import PasswordResetForm
from config.middleware import throttle_posts
from core.health import readyz


def healthz(request):
    """The cheapest possible page: the machine's ceiling in the benchmark."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def favicon(request):
    """/favicon.ico, which browsers ask for whatever the page links: the static SVG icon
    (a temporary redirect, as its static URL changes with its content)."""
    response = HttpResponseRedirect(static("favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


admin.site.site_header = _("Twinning portal administration")
admin.site.site_title = _("Twinning portal admin")
# A database outage outside a view is a friendly 503 too (config/middleware.py); under /api/
# the error is JSON (api/errors.py), the rest as config.middleware.server_error.
handler500 = "api.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    # Readiness: database, Redis, a worker's heartbeat, media storage (core/health.py).
    path("readyz", readyz, name="readyz"),
    # The password reset sends email to any address typed: throttled per client address.
    path(
        "accounts/password_reset/",
        throttle_posts("accounts.password_reset")(
            auth_views.PasswordResetView.as_view(form_class=PasswordResetForm)
        ),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("accounts.urls")),
    path("", include("partnerships.urls")),
    path("", include("notifications.urls")),
    path("", include("invitations.urls")),
    path("", include("businesses.urls")),
    path("alliances/", include("alliances.urls")),
    path("", include("agenda.urls")),
    path("", include("discussion.urls")),
    path("", include("core.urls")),
    # The REST API (api/, docs/api.md): /api/schema/, its pages, and /api/v1/.
    path("api/", include("api.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
