"""`{{ city.country|country_name }}`: core/formatting.py's country names, for templates."""

from django import template

from core.formatting import country_name

register = template.Library()
register.filter("country_name", country_name)
