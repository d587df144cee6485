from django import forms
from django.utils.translation import gettext_lazy as _

from shoushan.grid.models import Category, Satisfaction
from shoushan.grid.registry.selectors import sub_classes_queryset, units_all


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.major_class.name} › {obj.name}"


class CaseReportForm(forms.Form):
    """A report from a grid worker on patrol or a resident: what, where, who."""

    category = CategoryChoiceField(
        label=_("What kind of problem"),
        queryset=sub_classes_queryset(),
        widget=forms.Select(attrs={"data-two-level": _("First the kind…")}),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    latitude = forms.FloatField(label=_("Latitude"), required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(label=_("Longitude"), required=False, widget=forms.HiddenInput)
    community_code = forms.CharField(
        label=_("Or the community (type its name)"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"data-region-picker": "community"}),
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=200)

    def clean(self):
        data = super().clean()
        has_point = data.get("latitude") is not None and data.get("longitude") is not None
        if not has_point and not data.get("community_code") and not data.get("address"):
            raise forms.ValidationError(
                _("Put a pin on the map, or give the community code or the address.")
            )
        return data


class ResidentReportForm(CaseReportForm):
    name = forms.CharField(label=_("Your name"), required=False, max_length=60)
    phone = forms.CharField(
        label=_("Your phone (for the return visit)"), required=False, max_length=20
    )


class CaseMoveForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=units_all(), required=False)
    extend_to = forms.DateTimeField(
        label=_("New deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class CallReporterForm(forms.Form):
    """Which reporter to call and why; `reporters` as for the return visit."""

    reporter = forms.ChoiceField(label=_("Who to call"), required=False)
    reason = forms.CharField(label=_("Why"), max_length=200, initial=_("return visit"))

    def __init__(self, *args, reporters=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reporter"].choices = [("", _("the case's own reporter")), *reporters]


class ReturnVisitForm(forms.Form):
    """`reporters`: (id, label) of the reporters merged in; the case's own reporter is ""."""

    reporter = forms.ChoiceField(label=_("Who was visited"), required=False)
    resolved = forms.BooleanField(label=_("The problem is resolved"), required=False)
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reopen = forms.BooleanField(label=_("Reopen the case"), required=False)

    def __init__(self, *args, reporters=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reporter"].choices = [("", _("the case's own reporter")), *reporters]


class FollowUpForm(forms.Form):
    """A reporter looks a case up by its number and the phone they left."""

    number = forms.CharField(label=_("Case number"), max_length=30)
    phone = forms.CharField(label=_("The phone you left"), max_length=20)


class ReporterRatingForm(forms.Form):
    resolved = forms.BooleanField(label=_("The problem is resolved"), required=False)
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices)
    note = forms.CharField(
        label=_("Anything to add"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
