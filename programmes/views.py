from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.access import bureau_member_required
from accounts.models import CareerStage, ClassTeacherStage

from . import rules
from .access import get_programme_for_user, programmes_for_user
from .sections import links_for
from .selectors import requirement_specs


@bureau_member_required
def programme_list(request):
    programmes = list(programmes_for_user(request.user))
    for programme in programmes:
        programme.links = links_for(request.user, programme, "list")
    return render(request, "programmes/programme_list.html", {"programmes": programmes})


def _who(condition: rules.Condition | None) -> str:
    if condition is not None and condition.kind in (
        rules.ConditionKind.CLASS_TEACHER_STAGE,
        rules.ConditionKind.CAREER_STAGE,
    ):
        labels = dict(
            ClassTeacherStage.choices
            if condition.kind == rules.ConditionKind.CLASS_TEACHER_STAGE
            else CareerStage.choices
        )
        return _("%(stages)s only") % {
            "stages": "、".join(str(labels.get(code, code)) for code in sorted(condition.codes))
        }
    return rules.condition_text(condition)


@bureau_member_required
def programme_detail(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    tiers = {t.code: t.name for t in programme.tiers.all()}
    phases = list(programme.phases.all())
    phase_names = {(p.starts, p.ends): p.name for p in phases}
    requirements = []
    for requirement, spec in requirement_specs(programme):
        clauses = [
            {
                "period": programme.period_label(clause.period),
                "tiers": "、".join(tiers.get(code, code) for code in sorted(clause.tiers)),
                "who": _who(clause.condition),
                "phase": phase_names.get(clause.within, "") if clause.within else "",
                "alternatives": [alt.describe(alt.min_count) for alt in clause.alternatives],
                "deadline": clause.deadline.describe() if clause.deadline else "",
            }
            for clause in spec.clauses
        ]
        requirements.append(
            {
                "requirement": requirement,
                "tiers": "、".join(tiers.get(code, code) for code in sorted(spec.tiers)),
                "clauses": clauses,
            }
        )
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "phases": phases,
            "calendar": {
                "years": programme.years,
                "semesters": programme.semesters,
                "holidays": programme.cycle.holiday_spans(),
            },
            "milestones": sorted(
                programme.milestones.all(), key=lambda m: m.sort_key(programme.cycle)
            ),
            "tiers": programme.tiers.all(),
            "requirements": requirements,
            "action_links": links_for(request.user, programme, "actions"),
            "board_links": links_for(request.user, programme, "board"),
        },
    )
