"""TODO-owner: filled in by its page group."""

urlpatterns = []
