"""The sub-alliance pages, under /alliances/: names are `alliances:<name>`."""

from alliances import views

app_name = "alliances"

urlpatterns = views.urlpatterns
