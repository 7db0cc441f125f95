"""Writes of program configuration: programs (one default), their tier ladders, segments.

Vendor admins configure; each write is one transaction with its audit event. Errors are
`ValidationError`s keyed by the field that caused them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction

from partners.models import CriterionKind, Partner, ProfileCriterion, Program, Prospect, Segment, Tier
from prm.audit import audit_record, model_snapshot
from prm.models import Membership

PROGRAM_FIELDS = ["name", "description", "is_default"]
TIER_FIELDS = ["program", "name", "rank", "benefits"]
SEGMENT_FIELDS = ["name", "description"]
MAX_RANK = 999


def require_vendor_admin(actor: Membership) -> None:
    if not actor.is_vendor_admin:
        raise PermissionDenied("Only vendor admins change the program configuration.")


def _clean_name(value: str, *, max_length: int) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationError({"name": "Enter a name."})
    if len(name) > max_length:
        raise ValidationError({"name": f"Use at most {max_length} characters."})
    return name


def save_or_field_error(obj: models.Model, *, field: str, message: str) -> None:
    """Save; a unique constraint that a concurrent write won is reported like the pre-check."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as error:
        raise ValidationError({field: message}) from error


# --- programs -----------------------------------------------------------------------------------


def _unset_other_defaults(*, actor: Membership, program: Program) -> None:
    others = list(Program.objects.select_for_update().filter(is_default=True).exclude(pk=program.pk))
    for other in others:
        Program.objects.filter(pk=other.pk).update(is_default=False)
        audit_record(
            actor=actor.user,
            verb="program.default_unset",
            obj=other,
            before={"is_default": True},
            after={"is_default": False},
        )


@transaction.atomic
def program_create(
    *, actor: Membership, name: str, description: str = "", is_default: bool = False
) -> Program:
    """A new program; the tenant's first program becomes the default so new partners have one."""
    require_vendor_admin(actor)
    name = _clean_name(name, max_length=120)
    if Program.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A program named “{name}” already exists."})
    is_default = is_default or not Program.objects.exists()
    program = Program(name=name, description=(description or "").strip(), is_default=is_default)
    save_or_field_error(program, field="name", message=f"A program named “{name}” already exists.")
    if is_default:
        _unset_other_defaults(actor=actor, program=program)
    audit_record(
        actor=actor.user,
        verb="program.created",
        obj=program,
        after=model_snapshot(program, fields=PROGRAM_FIELDS),
    )
    return program


@transaction.atomic
def program_update(
    *, actor: Membership, program: Program, name: str, description: str = "", is_default: bool = False
) -> Program:
    require_vendor_admin(actor)
    name = _clean_name(name, max_length=120)
    if Program.objects.filter(name__iexact=name).exclude(pk=program.pk).exists():
        raise ValidationError({"name": f"A program named “{name}” already exists."})
    locked = Program.objects.select_for_update().get(pk=program.pk)
    before = model_snapshot(locked, fields=PROGRAM_FIELDS)
    locked.name, locked.description, locked.is_default = name, (description or "").strip(), is_default
    save_or_field_error(locked, field="name", message=f"A program named “{name}” already exists.")
    if is_default:
        _unset_other_defaults(actor=actor, program=locked)
    after = model_snapshot(locked, fields=PROGRAM_FIELDS)
    if after != before:
        audit_record(actor=actor.user, verb="program.updated", obj=locked, before=before, after=after)
    return locked


# --- tiers --------------------------------------------------------------------------------------


def _clean_rank(rank: int | None, *, program: Program) -> int:
    if rank is None:
        highest = Tier.objects.filter(program=program).aggregate(top=models.Max("rank"))["top"] or 0
        return highest + 1
    if not 1 <= rank <= MAX_RANK:
        raise ValidationError({"rank": f"Use a rank between 1 (entry tier) and {MAX_RANK}."})
    return rank


def _check_tier_unique(*, program: Program, name: str, rank: int, exclude_pk: int | None = None) -> None:
    others = Tier.objects.filter(program=program)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    errors = {}
    if others.filter(name__iexact=name).exists():
        errors["name"] = f"{program.name} already has a tier named “{name}”."
    taken = others.filter(rank=rank).first()
    if taken is not None:
        errors["rank"] = f"Rank {rank} is taken by {taken.name}; pick a free rank or move tiers up/down."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def tier_create(
    *, actor: Membership, program: Program, name: str, rank: int | None = None, benefits: str = ""
) -> Tier:
    """Add a rung to the ladder; without a rank it goes on top."""
    require_vendor_admin(actor)
    Program.objects.select_for_update().filter(pk=program.pk).first()  # serialise ladder edits
    name = _clean_name(name, max_length=60)
    rank = _clean_rank(rank, program=program)
    _check_tier_unique(program=program, name=name, rank=rank)
    tier = Tier(program=program, name=name, rank=rank, benefits=(benefits or "").strip())
    save_or_field_error(tier, field="name", message="Another tier took this name or rank; reload and retry.")
    audit_record(
        actor=actor.user, verb="tier.created", obj=tier, after=model_snapshot(tier, fields=TIER_FIELDS)
    )
    return tier


@transaction.atomic
def tier_update(*, actor: Membership, tier: Tier, name: str, rank: int, benefits: str = "") -> Tier:
    require_vendor_admin(actor)
    Program.objects.select_for_update().filter(pk=tier.program_id).first()
    locked = Tier.objects.select_related("program").get(pk=tier.pk)
    name = _clean_name(name, max_length=60)
    rank = _clean_rank(rank, program=locked.program)
    _check_tier_unique(program=locked.program, name=name, rank=rank, exclude_pk=locked.pk)
    before = model_snapshot(locked, fields=TIER_FIELDS)
    locked.name, locked.rank, locked.benefits = name, rank, (benefits or "").strip()
    save_or_field_error(
        locked, field="name", message="Another tier took this name or rank; reload and retry."
    )
    after = model_snapshot(locked, fields=TIER_FIELDS)
    if after != before:
        audit_record(actor=actor.user, verb="tier.updated", obj=locked, before=before, after=after)
    return locked


@transaction.atomic
def tier_move(*, actor: Membership, tier: Tier, direction: str) -> Tier:
    """Swap a tier with its neighbour ("up" = towards the entry tier, lower rank).

    Ranks are unique per program and the constraint is not deferrable, so the tier parks on a
    rank no tier uses while its neighbour takes its place."""
    require_vendor_admin(actor)
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move a tier “up” or “down”."})
    Program.objects.select_for_update().filter(pk=tier.program_id).first()
    ladder = list(Tier.objects.select_for_update().filter(program_id=tier.program_id).order_by("rank"))
    index = next(i for i, rung in enumerate(ladder) if rung.pk == tier.pk)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(ladder):
        edge = "entry (lowest)" if direction == "up" else "top"
        raise ValidationError({"direction": f"{ladder[index].name} is already the {edge} tier."})
    moving, neighbour = ladder[index], ladder[other_index]
    old_rank, new_rank = moving.rank, neighbour.rank
    moving.rank = ladder[-1].rank + 1
    moving.save(update_fields=["rank"])
    neighbour.rank = old_rank
    neighbour.save(update_fields=["rank"])
    moving.rank = new_rank
    moving.save(update_fields=["rank"])
    audit_record(
        actor=actor.user,
        verb="tier.moved",
        obj=moving,
        before={"rank": old_rank, "swapped_with": neighbour.name},
        after={"rank": new_rank, "swapped_with_rank": old_rank},
    )
    return moving


@transaction.atomic
def tier_delete(*, actor: Membership, tier: Tier) -> None:
    """Remove a rung; refused while partners are on it (their tier would vanish under them)."""
    require_vendor_admin(actor)
    locked = Tier.objects.select_for_update().get(pk=tier.pk)
    on_it = Partner.objects.filter(tier=locked).count()
    if on_it:
        noun = "partner is" if on_it == 1 else "partners are"
        raise ValidationError({"tier": f"{on_it} {noun} on {locked.name}; move them to another tier first."})
    snapshot = model_snapshot(locked, fields=TIER_FIELDS)
    audit_record(actor=actor.user, verb="tier.deleted", obj=locked, before=snapshot)
    locked.delete()


# --- segments -----------------------------------------------------------------------------------


@transaction.atomic
def segment_create(*, actor: Membership, name: str, description: str = "") -> Segment:
    require_vendor_admin(actor)
    name = _clean_name(name, max_length=100)
    if Segment.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A segment named “{name}” already exists."})
    segment = Segment(name=name, description=(description or "").strip())
    save_or_field_error(segment, field="name", message=f"A segment named “{name}” already exists.")
    audit_record(
        actor=actor.user,
        verb="segment.created",
        obj=segment,
        after=model_snapshot(segment, fields=SEGMENT_FIELDS),
    )
    return segment


@transaction.atomic
def segment_update(*, actor: Membership, segment: Segment, name: str, description: str = "") -> Segment:
    require_vendor_admin(actor)
    name = _clean_name(name, max_length=100)
    if Segment.objects.filter(name__iexact=name).exclude(pk=segment.pk).exists():
        raise ValidationError({"name": f"A segment named “{name}” already exists."})
    locked = Segment.objects.select_for_update().get(pk=segment.pk)
    before = model_snapshot(locked, fields=SEGMENT_FIELDS)
    locked.name, locked.description = name, (description or "").strip()
    save_or_field_error(locked, field="name", message=f"A segment named “{name}” already exists.")
    after = model_snapshot(locked, fields=SEGMENT_FIELDS)
    if after != before:
        audit_record(actor=actor.user, verb="segment.updated", obj=locked, before=before, after=after)
    if after["name"] != before["name"]:
        _rescore_prospects_wanting(segment_id=locked.pk)
    return locked


def _rescore_prospects_wanting(*, segment_id: int) -> None:
    """Score explanations name the segments they asked for; a rename must not leave the old name."""
    # Imported here: the profile services build on this module's helpers.
    from partners.services_profile import prospects_rescore

    wanted = ProfileCriterion.objects.filter(kind=CriterionKind.SEGMENT).values_list(
        "profile__program_id", "values"
    )
    program_ids = {program_id for program_id, values in wanted if segment_id in (values or [])}
    if program_ids:
        prospects_rescore(Prospect.objects.filter(program_id__in=program_ids))
