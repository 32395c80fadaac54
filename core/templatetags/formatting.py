"""`{{ city.country|country_name }}`: core/formatting.py's country names, for templates."""

from __future__ import annotations

from django import template

from core import formatting

register = template.Library()


@register.filter
def country_name(code) -> str:
    return formatting.country_name(code)
