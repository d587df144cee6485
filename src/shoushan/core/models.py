from django.db import models


class VersionStamp(models.Model):
    """A stamp per kind of data that processes keep in memory (the grids, the regions, the case
    catalogue, the active intake model): every write of that data gives it a new random value in
    its own transaction, and a process's cached copy is rebuilt when the stamp it holds is no
    longer the current one (see shoushan.core.versioned). Works across processes and machines.
    Random, not counted: a rolled-back write followed by another could repeat a count that a
    process cached inside the rolled-back transaction."""

    name = models.CharField(max_length=40, primary_key=True)
    stamp = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.name} {self.stamp}"
