"""The discussion's pages: names are `discussion:<name>`."""

from discussion import views

app_name = "discussion"

urlpatterns = views.urlpatterns
