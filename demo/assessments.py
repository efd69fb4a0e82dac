"""The assessments app's part of the seeds: the "assessment_schemes" section of a programme seed
(XH-ASSESS with XH-WS-LEAD, PT-EVAL, HA-ASSESS), loaded with the programme."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError

from assessments.models import AssessmentComponent, AssessmentScheme, check_weights
from demo import registry, schema
from programmes.models import Programme


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def load_assessment_schemes(programme: Programme, schemes: list[dict], *, source: str) -> None:
    """Write the assessment schemes a programme seed lists, with their components, in the seed's
    transaction; a scheme or component the models refuse is a ValueError naming the file."""
    for item in schemes:
        scheme = AssessmentScheme(
            bureau_id=programme.bureau_id,
            programme=programme,
            kind=item["kind"],
            title=item["title"],
            rule=item.get("rule") or "",
            results=list(item["results"]),
            scored=item.get("scored", False),
            excellent_from=_decimal(item.get("excellent_from")),
            pass_from=_decimal(item.get("pass_from")),
            basic_pass_from=_decimal(item.get("basic_pass_from")),
            description=item.get("description") or "",
        )
        try:
            scheme.full_clean()
        except ValidationError as exc:
            raise ValueError(
                f"{source}: assessment scheme {item['title']!r}: {exc.messages}"
            ) from exc
        scheme.save()
        components = []
        for order, part in enumerate(item["components"], start=1):
            component = AssessmentComponent(
                bureau_id=programme.bureau_id,
                scheme=scheme,
                title=part["title"],
                level=part["level"],
                weight=_decimal(part.get("weight")),
                required=part.get("required", True),
                description=part.get("description") or "",
                order=order,
            )
            try:
                component.full_clean()
            except ValidationError as exc:
                raise ValueError(
                    f"{source}: assessment scheme {item['title']!r}: component "
                    f"{part['title']!r}: {exc.messages}"
                ) from exc
            components.append(component)
        try:
            check_weights(scheme, components)
        except ValidationError as exc:
            raise ValueError(
                f"{source}: assessment scheme {item['title']!r}: {exc.messages}"
            ) from exc
        AssessmentComponent.objects.bulk_create(components)


registry.add_seed_section(
    "assessment_schemes", schema=schema.ASSESSMENT_SCHEMES, load=load_assessment_schemes
)
