"""Who may see which programme: every member of the bureau sees its programmes."""

from django.http import Http404

from .models import Programme


def get_programme_for_user(user, pk: int) -> Programme:
    programme = Programme.objects.filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme
