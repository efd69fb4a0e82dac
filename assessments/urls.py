from django.urls import path

from .views import sheets

app_name = "assessments"
urlpatterns: list = [
    path("sheets/export/", sheets.export, name="export"),
    path("sheets/export/<int:pk>/", sheets.export_job, name="export_job"),
    path("sheets/export/<int:pk>/file/", sheets.export_file, name="export_file"),
    path("sheets/import/", sheets.import_sheet, name="import"),
    path("sheets/import/confirm/", sheets.import_confirm, name="import_confirm"),
]
