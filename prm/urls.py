from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from prm import views, views_admin, views_members
from prm.api.auth import ObtainTokenView
from prm.forms import EmailAuthenticationForm

# Swagger UI sets inline styles; only its page relaxes style-src, scripts stay nonce/self only.
api_docs_view = csp_override({**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api_schema")
)

account_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
]

tenant_patterns = [
    path("", include("partners.urls")),
    path("", include("revenue.urls")),
    path("", include("analytics.urls")),
    path("members/", views_members.member_list, name="member_list"),
    path("members/invite/", views_members.member_invite, name="member_invite"),
    path("members/<int:pk>/", views_members.member_detail, name="member_detail"),
    path("portal/people/", views_members.people_list, name="people_list"),
    path("portal/people/invite/", views_members.people_invite, name="people_invite"),
    path("portal/people/<int:pk>/", views_members.person_detail, name="person_detail"),
    path("audit/", views_admin.audit_list, name="audit_list"),
    path("audit/<int:pk>/", views_admin.audit_detail, name="audit_detail"),
    path("settings/", views_admin.tenant_settings, name="tenant_settings"),
]

api_tenant_patterns = [
    path("", include("prm.api.urls")),
    path("", include("partners.api_urls")),
    path("", include("revenue.api_urls")),
    path("", include("analytics.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("select-tenant/", views.select_tenant, name="select_tenant"),
    path("accounts/", include(account_patterns)),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", api_docs_view, name="api_docs"),
    path("api/v1/auth/token/", ObtainTokenView.as_view(), name="api_token"),
    path("api/v1/<slug:tenant_slug>/", include(api_tenant_patterns)),
    path("<slug:tenant_slug>/", include(tenant_patterns)),
]
