"""The API's views, one module per area: common (the base view), partnerships (the list, one
partnership, GeoJSON lines, the moves), records (a partnership's MOUs, reviews, activities,
sub-alliances, outcomes, lessons, comments, and their writes), places (partner cities and
their GeoJSON points), registry (the public registry), docs (the schema and its pages)."""
