"""Reads of many rows, shaped so that pages ask a fixed number of queries; one module per area:

- visibility: the partnerships a person may open, change, or calls their own
- common: expressions every read uses (a list in one column, a count as a column)
- walk: the list's rows, the partnership page, its timeline and history
- search: the criteria candidates are scored on, the candidates' panel
- planning: the MOUs with their signatories
- board: the dashboard's board, filtered, each card knowing whether the user may move it
- dashboard: the warning signs, the portfolio's digest, what the dashboard shows

The names below are the package's public surface (`selectors.partnerships_visible_to`).
"""

from partnerships.selectors.common import GroupConcat, area_names, count_of, person
from partnerships.selectors.planning import MouRow, mous_for_page
from partnerships.selectors.search import candidates_for_page, criteria_of
from partnerships.selectors.visibility import (
    lessons_visible_to,
    officers_visible_to,
    partnerships_editable_by,
    partnerships_of_my_cities,
    partnerships_published,
    partnerships_visible_to,
    reading_urls,
    with_members,
)
from partnerships.selectors.walk import (
    HISTORY_LENGTH,
    TIMELINE_COLUMNS,
    TIMELINE_LENGTH,
    HistoryEntry,
    TimelineEntry,
    TimelineSource,
    history_entries,
    partnership_for_page,
    partnership_rows,
    recent_activities,
    rows_visible_to,
    sign_off_entries,
    timeline,
)

__all__ = [
    "HISTORY_LENGTH",
    "TIMELINE_COLUMNS",
    "TIMELINE_LENGTH",
    "GroupConcat",
    "HistoryEntry",
    "MouRow",
    "TimelineEntry",
    "TimelineSource",
    "area_names",
    "candidates_for_page",
    "count_of",
    "criteria_of",
    "history_entries",
    "lessons_visible_to",
    "mous_for_page",
    "officers_visible_to",
    "partnership_for_page",
    "partnership_rows",
    "partnerships_editable_by",
    "partnerships_of_my_cities",
    "partnerships_published",
    "partnerships_visible_to",
    "person",
    "reading_urls",
    "recent_activities",
    "rows_visible_to",
    "sign_off_entries",
    "timeline",
    "with_members",
]
