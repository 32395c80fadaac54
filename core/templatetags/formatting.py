"""core/formatting.py for templates: `{{ city.country|country_name }}`, and
`{{ p.area_names|reference_names }}` for stored names joined in one column."""

from django import template

from core.formatting import country_name, reference_names

register = template.Library()
register.filter("country_name", country_name)
register.filter("reference_names", reference_names)
