from django.urls import path

from .views import groups, programme

app_name = "workshops"
urlpatterns = [
    path("groups/", groups.group_list, name="group_list"),
    path("groups/<int:pk>/", groups.group_detail, name="group_detail"),
    path("groups/<int:pk>/members/add/", groups.member_add, name="member_add"),
    path("groups/<int:pk>/members/<int:member_pk>/", groups.member_edit, name="member_edit"),
    path("groups/<int:pk>/activities/new/", groups.activity_new, name="activity_new"),
    path("groups/<int:pk>/documents/new/", groups.document_new, name="document_new"),
    path("groups/<int:pk>/courses/new/", groups.course_new, name="course_new"),
    path("activities/<int:pk>/", groups.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/files/<int:file_pk>/", groups.activity_file, name="activity_file"),
    path("documents/<int:pk>/", groups.document_file, name="document_file"),
    path("documents/<int:pk>/review/", groups.document_review, name="document_review"),
    path("deadlines/<int:pk>/", groups.deadline_detail, name="deadline_detail"),
    path("deadlines/<int:pk>/extend/", groups.deadline_extend, name="deadline_extend"),
    path("deadlines/<int:pk>/files/<int:file_pk>/", groups.briefing_file, name="briefing_file"),
    path("programmes/<int:pk>/briefings/", programme.briefing_board, name="briefing_board"),
    path("programmes/<int:pk>/groups/", programme.programme_groups, name="programme_groups"),
    path("programmes/<int:pk>/sessions/", programme.session_hours, name="session_hours"),
]
