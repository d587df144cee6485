"""Reports that arrive at once share transactions, and each still gets its case, its report event
and its audit record; retries with one Idempotency-Key still make one case."""

import threading

from django.db import connection

from shoushan.audit.models import AuditRecord
from shoushan.grid.models import Case, CaseEvent
from shoushan.grid.tests.helpers import report


def _at_once(calls: list) -> list:
    results: list = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int) -> None:
        try:
            start.wait(timeout=10)
            results[i] = calls[i]()
        except Exception as error:  # the test reads it
            results[i] = error
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_concurrent_reports_each_get_case_event_and_audit(transactional_db, demo_city):
    before = Case.objects.count()
    results = _at_once([lambda i=i: report(description=f"同时报告{i}") for i in range(12)])
    assert all(isinstance(r, tuple) and r[1] for r in results), results
    cases = [case for case, _created in results]
    assert len({c.pk for c in cases}) == 12
    assert Case.objects.count() == before + 12
    for case in cases:
        stored = Case.objects.get(pk=case.pk)
        assert stored.description == case.description
        assert CaseEvent.objects.filter(case=case, action="report").count() == 1
        assert AuditRecord.objects.filter(action="case.report", object_id=str(case.pk)).count() == 1


def test_concurrent_retries_make_one_case(transactional_db, demo_city):
    results = _at_once([lambda: report(idempotency_key="retry-1") for _ in range(6)])
    assert all(isinstance(r, tuple) for r in results), results
    assert len({case.pk for case, _created in results}) == 1
    assert sum(created for _case, created in results) == 1
    assert Case.objects.filter(idempotency_key="retry-1").count() == 1
