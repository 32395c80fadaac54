"""The officers' portal. Each views module owns its routes; names are `partnerships:<name>`."""

from partnerships.views import cities, dashboard, partnerships, steps

app_name = "partnerships"

urlpatterns = [
    *dashboard.urlpatterns,
    *partnerships.urlpatterns,
    *steps.urlpatterns,
    *cities.urlpatterns,
]
