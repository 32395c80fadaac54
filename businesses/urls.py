"""The chamber portal and the public registry: names are `businesses:<name>`."""

from businesses.views import (
    chamber,
    directory,
    interest,
    matches,
    matchmaking,
    registry,
    workspace,
)

app_name = "businesses"

urlpatterns = [
    *chamber.urlpatterns,
    *workspace.urlpatterns,
    *directory.urlpatterns,
    *registry.urlpatterns,
    *interest.urlpatterns,
    *matchmaking.urlpatterns,
    *matches.urlpatterns,
]
