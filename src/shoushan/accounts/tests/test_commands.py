import pytest
from django.core.management import CommandError, call_command

from shoushan.accounts.models import User
from shoushan.audit.models import AuditRecord


def test_create_account_makes_a_scoped_account_and_audits_it(beijing, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "A-long-enough-pass")
    call_command("create_account", "lihua", "--role", "street_staff", "--scope", "110105001000")
    user = User.objects.get(username="lihua")
    assert [s.region_id for s in user.scopes.all()] == ["110105001000"]
    assert AuditRecord.objects.filter(action="user.create", object_id=str(user.pk)).exists()


def test_create_account_refuses_a_scope_that_does_not_exist(beijing, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "A-long-enough-pass")
    with pytest.raises(CommandError, match="110199"):
        call_command("create_account", "lihua", "--role", "street_staff", "--scope", "110199000000")
    assert not User.objects.filter(username="lihua").exists()


def test_demo_is_idempotent(demo_city, capsys):
    from shoushan.grid.models import Grid

    before = (User.objects.count(), Grid.objects.count())
    call_command("demo", "--no-cases", "--district", "110101000000")
    assert (User.objects.count(), Grid.objects.count()) == before
    out = capsys.readouterr().out
    assert "Shoushan-demo-2026" in out and "shoushan-demo-key" in out
