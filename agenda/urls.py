"""The pages of scheduled activities: names are `agenda:<name>`."""

from agenda import views

app_name = "agenda"

urlpatterns = views.urlpatterns
