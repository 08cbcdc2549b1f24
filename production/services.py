"""Writes of the production app besides the stage machine (`production.stages`)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from catalog.models import Credit, Person, RoleType
from config.errors import NotFound
from production.models import AuditionOutcome, CastingRole


def role_cast(*, role_id: int, person_id: int) -> CastingRole:
    """Cast `person` in the role: the decision becomes the title's cast credit.

    Recasting replaces the previous person's credit; the person's auditions for the
    role are marked offered. All or nothing.
    """
    with transaction.atomic():
        role = (
            CastingRole.objects.select_for_update()
            .select_related("production__title")
            .filter(pk=role_id)
            .first()
        )
        if role is None:
            raise NotFound("No casting role has this id.", field="roleId")
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            raise NotFound("No person has this id.", field="personId")
        title = role.production.title
        if role.cast_person_id is not None:
            Credit.objects.filter(
                title=title,
                person_id=role.cast_person_id,
                role_type=RoleType.CAST,
                character=role.character,
            ).delete()
        Credit.objects.create(
            title=title,
            person=person,
            role_type=RoleType.CAST,
            character=role.character,
            billing_order=_next_billing(title.pk),
        )
        role.auditions.filter(person=person).update(outcome=AuditionOutcome.OFFERED)
        role.cast_person = person
        role.save(update_fields=["cast_person"])
    return role


def _next_billing(title_id: int) -> int:
    last = Credit.objects.filter(title_id=title_id, role_type=RoleType.CAST).aggregate(
        last=Max("billing_order")
    )["last"]
    return (last or 0) + 1
