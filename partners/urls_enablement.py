"""Page URLs of the enablement concept (see partners/urls.py): the partner 360 tabs, ticking steps,
the vendor's overview and configuration, and the portal's checklist and trainings."""

from django.urls import path

from partners import views_enablement as views
from partners import views_enablement_config as config
from partners import views_enablement_portal as portal

urlpatterns = [
    path("enablement/", views.enablement_overview_page, name="enablement_overview"),
    path("partners/<int:pk>/checklist/", views.partner_tab_checklist, name="partner_tab_checklist"),
    path("partners/<int:pk>/checklist/start/", views.checklist_start, name="checklist_start"),
    path("partners/<int:pk>/trainings/", views.partner_tab_trainings, name="partner_tab_trainings"),
    path("checklist-items/<int:pk>/complete/", views.checklist_item_complete, name="checklist_item_complete"),
    path("checklist-items/<int:pk>/reopen/", views.checklist_item_reopen, name="checklist_item_reopen"),
    path(
        "training-completions/<int:pk>/revoke/",
        views.training_completion_revoke,
        name="training_completion_revoke",
    ),
    path("config/checklists/", config.checklist_template_list, name="checklist_template_list"),
    path("config/checklists/<int:pk>/", config.checklist_template_detail, name="checklist_template_detail"),
    path(
        "config/checklists/<int:pk>/delete/",
        config.checklist_template_delete,
        name="checklist_template_delete",
    ),
    path(
        "config/checklists/<int:pk>/steps/",
        config.checklist_template_item_create,
        name="checklist_template_item_create",
    ),
    path(
        "config/checklists/steps/<int:pk>/",
        config.checklist_template_item_edit,
        name="checklist_template_item_edit",
    ),
    path(
        "config/checklists/steps/<int:pk>/delete/",
        config.checklist_template_item_delete,
        name="checklist_template_item_delete",
    ),
    path("config/trainings/", config.training_catalogue, name="training_list"),
    path("config/trainings/new/", config.training_create, name="training_create"),
    path("config/trainings/<int:pk>/", config.training_edit, name="training_edit"),
    path("config/trainings/<int:pk>/active/", config.training_set_active, name="training_set_active"),
    path("portal/checklist/", portal.portal_checklist, name="portal_checklist"),
    path("portal/trainings/", portal.portal_trainings, name="portal_trainings"),
]
