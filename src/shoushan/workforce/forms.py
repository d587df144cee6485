from django import forms
from django.utils.translation import gettext_lazy as _

from shoushan.workforce.models import (
    Attribute,
    Education,
    EventKind,
    Gender,
    PoliticalStatus,
    Post,
    Qualification,
)

BLANK = [("", "—")]


class WorkerForm(forms.Form):
    """The fields are checked by the service (workforce.validation), which names each problem."""

    name = forms.CharField(label=_("Full name"), max_length=60)
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=BLANK + list(Gender.choices),
        required=False,
        help_text=_("Optional: derived from the ID number, and checked against it if entered."),
    )
    birth_date = forms.CharField(
        label=_("Birth date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional: derived from the ID number, and checked against it if entered."),
    )
    education = forms.ChoiceField(label=_("Education"), choices=BLANK + list(Education.choices))
    political_status = forms.ChoiceField(
        label=_("Political status"), choices=BLANK + list(PoliticalStatus.choices)
    )
    qualification = forms.ChoiceField(
        label=_("Social work qualification"), choices=Qualification.choices
    )
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=40, required=False
    )
    certificate_year = forms.CharField(label=_("Certificate year"), required=False)
    post = forms.ChoiceField(label=_("Post"), choices=BLANK + list(Post.choices))
    community_code = forms.CharField(
        label=_("Community code"), max_length=12, help_text=_("12 digits, e.g. 110101001001.")
    )
    hire_date = forms.CharField(
        label=_("Hire date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    pay_grade = forms.CharField(label=_("Pay grade"), max_length=20, required=False)
    monthly_pay = forms.CharField(label=_("Monthly pay (yuan)"), required=False)
    phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)


class WorkerEditForm(WorkerForm):
    """Community, post and hire date change only through career events."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("post", "community_code", "hire_date"):
            del self.fields[name]


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Event"),
        choices=[c for c in EventKind.choices if c[0] != EventKind.HIRE]
        + [(EventKind.HIRE, _("hire again (after leaving)"))],
    )
    on = forms.CharField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    post = forms.ChoiceField(
        label=_("New post"), choices=BLANK + list(Post.choices), required=False
    )
    community_code = forms.CharField(
        label=_("Destination community code"), max_length=12, required=False
    )
    organization = forms.CharField(label=_("Organ or institution"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class AttributeChangeForm(forms.Form):
    """Record a change: what changed, from when, the new value. Only the fields of the chosen
    attribute are read (workforce/change_form.js hides the others)."""

    attribute = forms.ChoiceField(label=_("What changed"), choices=BLANK + list(Attribute.choices))
    on = forms.CharField(
        label=_("Effective date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the new value took effect (degree awarded, admitted to the party …)."),
    )
    education = forms.ChoiceField(
        label=_("New education"), choices=BLANK + list(Education.choices), required=False
    )
    political_status = forms.ChoiceField(
        label=_("New political status"),
        choices=BLANK + list(PoliticalStatus.choices),
        required=False,
    )
    qualification = forms.ChoiceField(
        label=_("New social work qualification"),
        choices=BLANK + list(Qualification.choices),
        required=False,
    )
    certificate_number = forms.CharField(
        label=_("Certificate number"),
        max_length=40,
        required=False,
        help_text=_("The certificate year is the effective date's."),
    )
    pay_grade = forms.CharField(
        label=_("New pay grade"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the present grade."),
    )
    monthly_pay = forms.CharField(
        label=_("New monthly pay (yuan)"),
        required=False,
        help_text=_("Leave empty to keep the present amount."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        # on the worker's page next to the event form, whose fields share some names
        kwargs.setdefault("auto_id", "change_%s")
        super().__init__(*args, **kwargs)

    # the form's fields that carry each attribute's new value
    FIELDS = {
        Attribute.EDUCATION: ("education",),
        Attribute.POLITICAL_STATUS: ("political_status",),
        Attribute.QUALIFICATION: ("qualification", "certificate_number"),
        Attribute.PAY: ("pay_grade", "monthly_pay"),
    }

    def change(self) -> dict:
        """The arguments of services.worker_attribute_change_record."""
        data = self.cleaned_data
        attribute = Attribute(data["attribute"])
        values = {
            "attribute": attribute.value,
            "on": data["on"],
            "note": data["note"],
            "value": data["pay_grade"] if attribute is Attribute.PAY else data[attribute.value],
        }
        if attribute is Attribute.QUALIFICATION:
            values["certificate_number"] = data["certificate_number"]
        if attribute is Attribute.PAY:
            values["monthly_pay"] = data["monthly_pay"]
        return values


class WageForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1978, max_value=2100)
    yuan = forms.IntegerField(label=_("Average annual wage (yuan)"), min_value=1)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)
