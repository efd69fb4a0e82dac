"""The school pages keep their ``bureaus`` namespace and addresses (/schools/...)."""

from django.urls import path

from . import school_views as views

app_name = "bureaus"
urlpatterns = [
    path("", views.school_list, name="school_list"),
    path("mine/", views.my_school, name="my_school"),
    path("<int:pk>/", views.school_detail, name="school_detail"),
    path("teachers/<int:pk>/", views.teacher_detail, name="teacher_detail"),
]
