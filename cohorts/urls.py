from django.urls import path

from . import views

app_name = "cohorts"
urlpatterns = [
    path("evidence/", views.evidence_list, name="evidence_list"),
    path("evidence/new/", views.evidence_new, name="evidence_new"),
    path("evidence/review/", views.review_queue, name="review_queue"),
    path("evidence/<int:pk>/", views.evidence_detail, name="evidence_detail"),
    path("evidence/<int:pk>/edit/", views.evidence_edit, name="evidence_edit"),
    path("evidence/<int:pk>/submit/", views.evidence_submit, name="evidence_submit"),
    path("evidence/<int:pk>/review/", views.evidence_review, name="evidence_review"),
    path("evidence/<int:pk>/files/<int:file_pk>/", views.evidence_file, name="evidence_file"),
    path("progress/", views.my_progress, name="my_progress"),
    path("programmes/<int:pk>/progress/", views.progress_matrix, name="progress_matrix"),
    path("programmes/<int:pk>/coverage/", views.coverage, name="coverage"),
    path("programmes/<int:pk>/outputs/", views.output_calls, name="output_calls"),
    path("outputs/<int:pk>/", views.output_call_detail, name="output_call_detail"),
    path("outputs/<int:pk>/select/<int:evidence_pk>/", views.output_select, name="output_select"),
]
