from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("board/<str:code>/", views.board, name="board"),
    path("board/<str:code>/live/", views.board_live, name="board_live"),
    path("dashboards/", views.dashboards_page, name="dashboards"),
    path("dashboards/<slug:key>.xlsx", views.chart_xlsx, name="chart_xlsx"),
    path("summary.docx", views.summary_docx, name="summary_docx"),
]
