"""Who may manage organisations and sub-alliances. Views use these; services check them again.

Sub-alliances are part of the partnership's own record: the officers of its member cities
(joint ownership) and admins manage them. Chamber staff edit nothing of a partnership.
"""

from __future__ import annotations

from alliances.models import Organisation, ScorecardMeasure
from partnerships import permissions as core
from partnerships.models import Partner, Partnership


def can_manage_organisation(user, organisation: Organisation) -> bool:
    """Officers of the organisation's city, and admins."""
    return core.is_admin(user) or organisation.partner_id in core.city_ids(user)


def can_create_organisation_in(user, partner: Partner | int) -> bool:
    partner_id = partner if isinstance(partner, int) else partner.pk
    return core.is_admin(user) or partner_id in core.city_ids(user)


def can_manage_sub_alliances(user, partnership: Partnership) -> bool:
    """Form sub-alliances, set their strength, tick start-up tasks, record outcomes."""
    return core.can_edit_partnership(user, partnership)


def can_view_sub_alliances(user, partnership: Partnership) -> bool:
    """Sub-alliances are not part of the public registry: the member cities' officers only."""
    return core.is_admin(user) or bool(core.city_ids(user) & core.member_city_ids(partnership))


def can_add_measure_for(user, partnership: Partnership, side: Partner | int) -> bool:
    """Each side adds its own measures to the shared scorecard: officers of that side."""
    side_id = side if isinstance(side, int) else side.pk
    if core.is_admin(user):
        return True
    return side_id in core.city_ids(user) and core.can_edit_partnership(user, partnership)


def can_change_measure(user, measure: ScorecardMeasure) -> bool:
    """A measure is kept up to date by the side that added it."""
    return can_add_measure_for(user, measure.sub_alliance.partnership, measure.added_by_partner_id)
