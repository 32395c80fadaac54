"""The core's own pages: the search (core/search_views.py)."""

from core.search_views import app_name, urlpatterns

__all__ = ["app_name", "urlpatterns"]
