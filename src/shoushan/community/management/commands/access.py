"""`shoushan access`: walking distance from every origin to the nearest facility of each
category (the 15-minute community service circle), written as CSV. Bad input is reported as one
line naming the file and row, and no output file is written, so a stale or half-written table is
never mistaken for the answer."""

import csv
import math
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shoushan.community import access
from shoushan.community.access import AccessInputError, AccessResult
from shoushan.community.osm import osm_walk_network

INPUT_ERROR_STATUS = 2


def _cell(value: float, digits: int) -> str:
    """Rounded; empty when unreachable (never 0, which would read as 'right here')."""
    return "" if math.isnan(value) else f"{value:.{digits}f}"


def results_write(out: Path, result: AccessResult) -> None:
    """Write next to the target and rename, so that a failure leaves no partial file."""
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            header = ["origin_id"]
            for category in result.categories:
                header += [f"{category}_m", f"{category}_min", f"{category}_facility"]
            writer.writerow(header)
            for i, origin_id in enumerate(result.origin_ids):
                row = [origin_id]
                for j in range(len(result.categories)):
                    facility = result.facility_ids[i, j]
                    row += [
                        _cell(result.distance_m[i, j], 1),
                        _cell(result.minutes[i, j], 2),
                        "" if facility is None else facility,
                    ]
                writer.writerow(row)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = (
        "Walking distance and time from each origin to the nearest facility of each category. "
        "Network: --nodes and --edges CSV (id,lon,lat / u,v,length_m) or --osm (.osm, .osm.pbf); "
        "--facilities CSV id,category,lon,lat; --origins CSV id,lon,lat[,weight]. Output --out: "
        "origin_id, then <category>_m, <category>_min, <category>_facility; unreachable is empty."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--nodes", type=Path, help="network nodes CSV: id,lon,lat")
        parser.add_argument("--edges", type=Path, help="network edges CSV: u,v,length_m")
        parser.add_argument("--osm", type=Path, help="OpenStreetMap file (.osm or .osm.pbf)")
        parser.add_argument("--facilities", required=True, type=Path)
        parser.add_argument("--origins", required=True, type=Path)
        parser.add_argument("--speed-kmh", type=float, default=access.DEFAULT_SPEED_KMH)
        parser.add_argument("--minutes", type=float, default=15.0)
        parser.add_argument("--out", required=True, type=Path, help="CSV file to write")

    def handle(self, *args, **options) -> None:
        access.translator_install(_)
        nodes, edges, osm = options["nodes"], options["edges"], options["osm"]
        out = Path(options["out"])
        if (osm is None) == (nodes is None and edges is None) or (
            osm is None and (nodes is None or edges is None)
        ):
            raise CommandError(
                _("Give either --osm, or both --nodes and --edges."), returncode=INPUT_ERROR_STATUS
            )
        if not out.parent.is_dir():
            message = _("%(path)s: folder not found") % {"path": out.parent}
            raise CommandError(message, returncode=INPUT_ERROR_STATUS)
        speed, minutes = options["speed_kmh"], options["minutes"]
        if not (minutes > 0 and math.isfinite(minutes)):
            raise CommandError(
                _("--minutes must be a positive number."), returncode=INPUT_ERROR_STATUS
            )
        try:
            if osm is not None:
                network = osm_walk_network(osm)
            else:
                network = access.network_from_tables(nodes, edges)
            facilities = access.facilities_from_csv(options["facilities"])
            origins = access.origins_from_csv(options["origins"])
            result = access.nearest_facilities(network, facilities, origins, speed_kmh=speed)
            summary = access.coverage(result, minutes=(minutes,)).levels[0]
        except AccessInputError as error:
            raise CommandError(str(error), returncode=INPUT_ERROR_STATUS) from None
        results_write(out, result)
        self.stdout.write(
            _("%(count)d origins written to %(path)s") % {"count": len(origins), "path": out}
        )
        self.stdout.write(
            _(
                "Within %(minutes)g minutes of every category: %(origins).1f%% of origins, "
                "%(weight).1f%% of weight"
            )
            % {
                "minutes": minutes,
                "origins": 100 * summary.share_origins,
                "weight": 100 * summary.share_weight,
            }
        )
        for category, share in summary.category_share_origins.items():
            self.stdout.write(f"  {category}: {100 * share:.1f}%")
