from django.urls import path

from .views import board

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
]
