from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("accounts.urls")),
    path("schools/", include("accounts.school_urls")),
    path("", include("cohorts.urls")),
    path("programmes/", include("programmes.urls")),
    path("", include("workshops.urls")),
    path("assessments/", include("assessments.urls")),
    path("", include("certificates.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
