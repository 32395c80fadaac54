"""The demo's joint sign-off: at selection and at the MOU each member city confirms. A city
with officers in the portal confirms through one of them; for a city without, the home side
records its confirmation given outside the portal, with its mayor's signed letter (or the
signed MOU) as evidence: so the demo shows both kinds."""

from __future__ import annotations

import datetime as dt
import functools
import io

from django.core.files.base import ContentFile
from pypdf import PdfWriter

from demo.texts import signer
from partnerships import services, workflow
from partnerships.models import OfflineConfirmation, Partnership, Step


@functools.cache
def _pdf() -> bytes:
    """A one-page PDF standing for the scanned letter (the demo prints nothing on it)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Signed confirmation (demo)"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def confirm_each_side(partnership: Partnership, officers: dict, on: dt.date) -> int:
    """Confirm leaving the current joint sign-off step for every member city; returns how
    many confirmations were recorded outside the portal."""
    members = list(partnership.members.select_related("partner"))
    if partnership.step not in workflow.JOINT_SIGN_OFF_STEPS or len(members) < 2:
        return 0
    home = next(m.partner for m in members if m.role == m.Role.HOME)
    recorded = 0
    for member in members:
        city = member.partner
        if city.pk in officers:
            services.partnership_confirm_move(partnership=partnership, user=officers[city.pk])
            continue
        name, role = signer(city)
        evidence = OfflineConfirmation.Evidence.LETTER
        if partnership.step == Step.AGREEMENT:
            evidence = OfflineConfirmation.Evidence.MOU
        services.offline_confirmation_record(
            partnership=partnership,
            partner=city,
            # The home side's officer records it (the system, when the home city has none).
            user=officers.get(home.pk),
            confirmed_by_name=name,
            confirmed_by_role=role,
            confirmed_on=on,
            evidence=evidence,
            document=ContentFile(_pdf(), name="signed.pdf"),
        )
        recorded += 1
    return recorded
