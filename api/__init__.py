"""The REST API for the cities' own systems (docs/api.md): reads and the pages' writes, under
/api/v1/, through the same selectors, permissions and services as the pages."""
