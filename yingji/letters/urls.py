from django.urls import path

from . import views

app_name = "letters"

urlpatterns = [
    path("", views.coverage_page, name="coverage"),
    path("coverage.xlsx", views.coverage_xlsx, name="coverage_xlsx"),
    path("mine/", views.mine, name="mine"),
    path("generate/", views.generate, name="generate"),
    path("wording/<str:kind>/", views.template, name="template"),
    path("<str:pk>/", views.letter, name="letter"),
    path("<str:pk>/sign/", views.sign, name="sign"),
    path("<str:pk>/scan/", views.upload_scan, name="upload_scan"),
    path("<str:pk>/scan/file/", views.scan_file, name="scan_file"),
    path("<str:pk>/docx/", views.docx, name="docx"),
]
