"""The Django admin of the partnerships app, one module per area (as services/ and selectors/).

How this admin keeps to the rules of the rest of the code (the base classes are core.admin's):

* A partnership's `step` is read-only here; it moves only through the "Advance" and "Return"
  actions, which call the walk's services (the one code path that checks the gate and records
  the move). A strategy is numbered, and put in force, by the same services as in the portal.
* A selection is recorded through `selection_decide`, so the chosen city joins the partnership
  as it does outside the admin.
* No page issues a query per row (the tests count them).
"""

from partnerships.admin import cities, delivery, planning, search, walk  # noqa: F401 (registers)
