from django import forms

from shoushan.grid.models import Category
from shoushan.grid.registry.services import CATEGORY_FIELDS


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = CATEGORY_FIELDS
        widgets = {
            "filing_standard": forms.Textarea(attrs={"rows": 3}),
            "closing_standard": forms.Textarea(attrs={"rows": 3}),
        }
