from django.urls import path

from .views import plans

app_name = "assessments"
urlpatterns: list = [
    path("plans/", plans.my_plans, name="my_plans"),
    path("plans/review/", plans.plan_list, name="plan_list"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/review/", plans.plan_review, name="plan_review"),
    path("plans/<int:pk>/files/<int:file_pk>/", plans.plan_file, name="plan_file"),
]
