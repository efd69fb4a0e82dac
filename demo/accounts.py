"""Demo data: bureaus, learning districts, schools and one person per role, from fixtures/."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import TeacherProfile, User
from accounts.services import role_grant
from bureaus.models import Bureau, LearningDistrict, LevelName, School
from bureaus.tenancy import bureau_scope
from demo import registry, schema


def load_demo(path: Path) -> list[str]:
    """Create what ``path`` describes; a bureau or user that already exists is left as it is."""
    data = schema.read(Path(path), "people")
    password = make_password(data["password"])  # one hash for every demo account: fast
    created: list[str] = []
    with transaction.atomic():
        for admin in data.get("platform_admins", []):
            if not User.objects.all_bureaus().filter(username=admin["username"]).exists():
                User.objects.create(
                    username=admin["username"],
                    full_name=admin["full_name"],
                    email=admin.get("email", ""),
                    password=password,
                    is_staff=True,
                    is_superuser=True,
                )
                created.append(admin["username"])
        for spec in data["bureaus"]:
            if Bureau.objects.filter(code=spec["code"]).exists():
                continue
            bureau = Bureau.objects.create(
                code=spec["code"], name=spec["name"], short_name=spec.get("short_name", "")
            )
            with bureau_scope(bureau):
                _load_bureau(bureau, spec, password)
            created.append(bureau.name)
    return created


def _load_bureau(bureau: Bureau, spec: dict, password: str) -> None:
    for level in spec.get("levels", []):
        LevelName.objects.create(
            bureau=bureau,
            level=level["level"],
            name=level.get("name", ""),
            hidden=level.get("hidden", False),
        )
    districts = {
        d["name"]: LearningDistrict.objects.create(bureau=bureau, name=d["name"])
        for d in spec["learning_districts"]
    }
    schools = {
        s["name"]: School.objects.create(
            bureau=bureau,
            name=s["name"],
            code=s.get("code", ""),
            stage=s["stage"],
            number_of_classes=s.get("classes", 0),
            learning_district=districts.get(s.get("district")),
        )
        for s in spec["schools"]
    }
    for d in spec["learning_districts"]:
        if d.get("lead_school"):
            district = districts[d["name"]]
            district.lead_school = schools[d["lead_school"]]
            district.save(update_fields=["lead_school"])
    for person in spec["people"]:
        user = User.objects.create(
            bureau=bureau,
            username=person["username"],
            full_name=person["full_name"],
            email=person.get("email", ""),
            trainer_researcher=person.get("trainer_researcher", False),
            password=password,
        )
        if profile := person.get("profile"):
            TeacherProfile.objects.create(
                bureau=bureau, user=user, **{**profile, "school": schools[profile["school"]]}
            )
        for role in person.get("roles", []):
            school = schools.get(person.get("school_admin_of")) if role == "school_admin" else None
            role_grant(actor=None, user=user, role=role, school=school)


registry.add_step("people", command="load_demo")
