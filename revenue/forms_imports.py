"""Forms of the imports pages. They parse; revenue.services_imports decides what a usable file is."""

from __future__ import annotations

from typing import Any

from django import forms

from revenue.models import ImportKind, ImportStatus
from revenue.services_imports import MAX_BYTES


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds",
        choices=ImportKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the file holds."},
    )
    file = forms.FileField(
        label="CSV file",
        required=False,
        help_text="UTF-8, comma separated, the column names in the first row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    pasted = forms.CharField(
        label="Or paste the rows",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text="For a few rows: the header line, then one line per row.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload, pasted = cleaned.get("file"), (cleaned.get("pasted") or "").strip()
        if upload and pasted:
            self.add_error("pasted", "Upload a file or paste rows, not both.")
        elif upload:
            # Read at most one byte past the limit: the service refuses larger files without the
            # whole upload in memory.
            cleaned["data"] = upload.read(MAX_BYTES + 1)
            cleaned["file_name"] = upload.name or "upload.csv"
        elif pasted:
            cleaned["data"] = (pasted + "\n").encode("utf-8")
            cleaned["file_name"] = "pasted.csv"
        else:
            self.add_error("file", "Choose a CSV file, or paste its rows below.")
        return cleaned


class ImportFilterForm(forms.Form):
    q = forms.CharField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("", "All kinds"), *ImportKind.choices])
    status = forms.ChoiceField(required=False, choices=[("", "All statuses"), *ImportStatus.choices])

    def values(self) -> dict[str, str]:
        """Clean filter values; an invalid choice in the URL counts as no filter."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": str(data.get("q") or "").strip(),
            "kind": str(data.get("kind") or ""),
            "status": str(data.get("status") or ""),
        }
