from django.urls import path

from . import views

app_name = "bureaus"
urlpatterns = [
    path("", views.school_list, name="school_list"),
    path("mine/", views.my_school, name="my_school"),
    path("<int:pk>/", views.school_detail, name="school_detail"),
]
