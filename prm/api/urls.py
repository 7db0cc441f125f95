from django.urls import path

from prm.api import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api_me"),
    path("memberships/", views.MembershipListView.as_view(), name="api_membership_list"),
    path("memberships/<int:pk>/", views.MembershipDetailView.as_view(), name="api_membership_detail"),
    path("audit-events/", views.AuditEventListView.as_view(), name="api_audit_event_list"),
    path("audit-events/<int:pk>/", views.AuditEventDetailView.as_view(), name="api_audit_event_detail"),
]
