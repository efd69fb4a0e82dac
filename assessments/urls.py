from django.urls import path

from .views import board, filing, plans, sheets

app_name = "assessments"
urlpatterns: list = [
    # Bureau staff: the assessment board, decisions and the units (HA-ASSESS).
    path("board/", board.board_index, name="board_index"),
    path("schemes/<int:pk>/board/", board.board, name="board"),
    path("schemes/<int:pk>/board/finalise/", board.finalise_many, name="finalise_many"),
    path("schemes/<int:pk>/board/<int:enrolment_pk>/", board.board_row, name="board_row"),
    path("schemes/<int:pk>/board/<int:enrolment_pk>/decide/", board.decide, name="decide"),
    path("schemes/<int:pk>/files/<int:file_pk>/", board.board_file, name="board_file"),
    path("decisions/<int:pk>/finalise/", board.finalise, name="finalise"),
    path("decisions/<int:pk>/correct/", board.correct, name="correct"),
    path("programmes/<int:pk>/units/", board.units, name="units"),
    # Leadership and staff: results.
    path("results/", board.results_index, name="results_index"),
    path("schemes/<int:pk>/results/", board.results, name="results"),
    # Teachers, group leads and school administrators: filing.
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
    # Rectification plans: the teacher hands in, staff review.
    path("plans/", plans.my_plans, name="my_plans"),
    path("plans/review/", plans.plan_list, name="plan_list"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/review/", plans.plan_review, name="plan_review"),
    path("plans/<int:pk>/files/<int:file_pk>/", plans.plan_file, name="plan_file"),
    # Staff and leadership: the assessment spreadsheets.
    path("sheets/export/", sheets.export, name="export"),
    path("sheets/export/<int:pk>/", sheets.export_job, name="export_job"),
    path("sheets/export/<int:pk>/file/", sheets.export_file, name="export_file"),
    path("sheets/import/", sheets.import_sheet, name="import"),
    path("sheets/import/confirm/", sheets.import_confirm, name="import_confirm"),
]
