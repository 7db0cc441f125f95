from django.urls import path

from partners import views

urlpatterns = [
    path("", views.tenant_home, name="tenant_home"),
    path("portal/", views.portal_home, name="portal_home"),
    path("stages/<slug:stage>/", views.stage_detail, name="stage_detail"),
]
