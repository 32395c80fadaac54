"""Filled in by its page group."""

urlpatterns = []
