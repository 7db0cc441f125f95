"""API URLs of the enablement concept (see partners/api_urls.py)."""

from django.urls import path

from partners import api_enablement as api

urlpatterns = [
    path("trainings/", api.TrainingListView.as_view(), name="api_training_list"),
    path(
        "training-completions/", api.TrainingCompletionListView.as_view(), name="api_training_completion_list"
    ),
    path("partners/<int:pk>/checklist/", api.PartnerChecklistView.as_view(), name="api_partner_checklist"),
    path(
        "checklist-items/<int:pk>/complete/",
        api.ChecklistItemCompleteView.as_view(),
        name="api_checklist_item_complete",
    ),
]
