"""The demo's think tanks obey the rules they were made through."""

from decimal import Decimal

from django.db.models import Sum

from shoushan.purchasing.models import Award, CatalogueItem
from shoushan.thinktank.demo import demo_thinktank_create
from shoushan.thinktank.models import Project, ProjectStatus, ResearchBase


def test_the_demo_makes_18_bases_and_pays_approved_topics_through_the_ledger(demo_city):
    demo_thinktank_create()
    if not CatalogueItem.objects.filter(code="B0201").exists():
        assert not ResearchBase.objects.filter(is_generated=True).exists()
        return
    assert ResearchBase.objects.filter(is_generated=True).count() == 18
    approved = Project.objects.exclude(status__in=(ProjectStatus.APPLIED, ProjectStatus.REJECTED))
    awards = Award.objects.filter(research_project__in=approved, status=Award.ACTIVE)
    assert awards.count() == approved.count()
    assert awards.aggregate(s=Sum("amount"))["s"] == approved.aggregate(s=Sum("amount"))["s"]
    assert all(a.amount > Decimal("0") for a in awards)
    assert demo_thinktank_create().get("bases") is None  # nothing made twice
