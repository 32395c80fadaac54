"""The officers' portal. Each views module owns its routes; names are `partnerships:<name>`."""

from partnerships.views import cities, dashboard, delivery, partnerships, search

app_name = "partnerships"

urlpatterns = [
    *dashboard.urlpatterns,
    *partnerships.urlpatterns,
    *search.urlpatterns,
    *delivery.urlpatterns,
    *cities.urlpatterns,
]
