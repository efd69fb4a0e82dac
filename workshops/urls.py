from django.urls import path

from .views import programme, teams, units

app_name = "workshops"
urlpatterns = [
    path("groups/", teams.team_list, name="team_list"),
    path("groups/<int:pk>/", teams.team_detail, name="team_detail"),
    path("groups/<int:pk>/members/add/", teams.member_add, name="member_add"),
    path("groups/<int:pk>/members/<int:member_pk>/", teams.member_edit, name="member_edit"),
    path("groups/<int:pk>/activities/new/", teams.activity_new, name="activity_new"),
    path("groups/<int:pk>/documents/new/", teams.document_new, name="document_new"),
    path("groups/<int:pk>/courses/new/", teams.course_new, name="course_new"),
    path("activities/<int:pk>/", teams.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/files/<int:file_pk>/", teams.activity_file, name="activity_file"),
    path("documents/<int:pk>/", teams.document_file, name="document_file"),
    path("documents/<int:pk>/review/", teams.document_review, name="document_review"),
    path("deadlines/<int:pk>/", teams.deadline_detail, name="deadline_detail"),
    path("deadlines/<int:pk>/extend/", teams.deadline_extend, name="deadline_extend"),
    path("deadlines/<int:pk>/files/<int:file_pk>/", teams.briefing_file, name="briefing_file"),
    path("programmes/<int:pk>/briefings/", programme.briefing_board, name="briefing_board"),
    path("programmes/<int:pk>/groups/", programme.programme_teams, name="programme_teams"),
    path("programmes/<int:pk>/sessions/", programme.session_hours, name="session_hours"),
    path(
        "programmes/<int:pk>/schools/<int:school_pk>/filings/new/",
        units.school_filing_new,
        name="school_filing_new",
    ),
    path(
        "programmes/<int:pk>/districts/<int:district_pk>/filings/new/",
        units.district_filing_new,
        name="district_filing_new",
    ),
    path(
        "unit-filings/<int:pk>/files/<int:file_pk>/",
        units.unit_filing_file,
        name="unit_filing_file",
    ),
]
