from django.shortcuts import render

from accounts.access import bureau_member_required

from .access import get_programme_for_user, programmes_for_user
from .models import Period
from .sections import links_for
from .selectors import requirement_specs


@bureau_member_required
def programme_list(request):
    programmes = list(programmes_for_user(request.user))
    for programme in programmes:
        programme.links = links_for(request.user, programme, "list")
    return render(request, "programmes/programme_list.html", {"programmes": programmes})


@bureau_member_required
def programme_detail(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    tiers = {t.code: t.name for t in programme.tiers.all()}
    periods = dict(Period.choices)
    requirements = []
    for requirement, spec in requirement_specs(programme):
        clauses = [
            {
                "period": periods[clause.period],
                "tiers": "、".join(tiers.get(code, code) for code in sorted(clause.tiers)),
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
            "phases": programme.phases.all(),
            "milestones": sorted(
                programme.milestones.all(), key=lambda m: m.sort_key(programme.cycle)
            ),
            "tiers": programme.tiers.all(),
            "requirements": requirements,
            "action_links": links_for(request.user, programme, "actions"),
            "board_links": links_for(request.user, programme, "board"),
        },
    )
