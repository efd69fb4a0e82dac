from django.urls import path

from .views import filing

app_name = "assessments"
urlpatterns: list = [
    path("mine/", filing.my_assessments, name="my_assessments"),
    path(
        "file/<int:enrolment_pk>/<int:component_pk>/",
        filing.component_form,
        name="component_form_cycle",
    ),
    path(
        "file/<int:enrolment_pk>/<int:component_pk>/<str:year_key>/",
        filing.component_form,
        name="component_form",
    ),
    path("files/<int:pk>/", filing.component_file, name="component_file"),
    path("groups/", filing.team_list, name="team_list"),
    path("groups/<int:pk>/<str:year_key>/", filing.team_year, name="team_year"),
    path("group-files/<int:pk>/", filing.team_file, name="team_file"),
    path("school/", filing.school_assessments, name="school"),
]
