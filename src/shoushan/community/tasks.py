"""Background work of community building: files of community profiles and of facilities (CSV,
GeoJSON or an OpenStreetMap extract) are imported in a job, not in the request."""

import tempfile

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.community import facilities as facility_services
from shoushan.community import services
from shoushan.core.jobs import Progress, job_task, job_upload_read, upload_job_start
from shoushan.core.models import Job

OSM_ENDINGS = (".osm", ".osm.pbf", ".pbf")


@job_task
def profiles_import_run(job: Job, progress: Progress) -> dict:
    progress(10, _("Reading and checking the profiles"))
    result = services.profiles_import(
        actor=job.created_by, name=job.params["name"], content=job_upload_read(job)
    )
    return {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


def profiles_import_start(*, actor, upload, back: str = "") -> Job:
    services.require_editor(actor)
    return upload_job_start(
        actor=actor,
        runner=profiles_import_run,
        kind="community.profiles_import",
        title=PROFILES_TITLE % {"name": getattr(upload, "name", "")[:100]},
        upload=upload,
        params={"back": back},
    )


@job_task
def facilities_import_run(job: Job, progress: Progress) -> dict:
    progress(10, _("Reading and checking the facilities"))
    name = job.params["name"]
    if name.lower().endswith(OSM_ENDINGS):
        # the OpenStreetMap reader wants a path, whose ending tells XML from PBF
        suffix = ".osm.pbf" if name.lower().endswith(".pbf") else ".osm"
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            handle.write(job_upload_read(job))
            handle.flush()
            result = facility_services.facilities_import_osm(actor=job.created_by, path=handle.name)
    else:
        result = facility_services.facilities_import(
            actor=job.created_by,
            name=name,
            content=job_upload_read(job),
            crs=job.params.get("crs", "wgs84"),
        )
    return {"created": result.created, "unplaced": result.unplaced}


def facilities_import_start(*, actor, upload, crs: str = "wgs84", back: str = "") -> Job:
    services.require_editor(actor)
    return upload_job_start(
        actor=actor,
        runner=facilities_import_run,
        kind="community.facilities_import",
        title=FACILITIES_TITLE % {"name": getattr(upload, "name", "")[:100]},
        upload=upload,
        params={"crs": crs, "back": back},
    )


PROFILES_TITLE = gettext_lazy("Community profiles from %(name)s")
FACILITIES_TITLE = gettext_lazy("Facilities from %(name)s")
