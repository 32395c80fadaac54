"""The officers' portal. Each views module owns its routes; names are `partnerships:<name>`."""

from partnerships.views import (
    bulk,
    cities,
    dashboard,
    delivery,
    measurement,
    moves,
    partnerships,
    places,
    reports,
    saved_views,
    search,
    selection,
    signoff,
)

app_name = "partnerships"

urlpatterns = [
    *dashboard.urlpatterns,
    *partnerships.urlpatterns,
    *moves.urlpatterns,
    *saved_views.urlpatterns,
    *bulk.urlpatterns,
    *signoff.urlpatterns,
    *search.urlpatterns,
    *selection.urlpatterns,
    *delivery.urlpatterns,
    *measurement.urlpatterns,
    *places.urlpatterns,
    *cities.urlpatterns,
    *reports.urlpatterns,
]
