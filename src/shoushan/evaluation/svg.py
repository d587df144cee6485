"""Charts of the blue book as SVG, drawn on the server so that the PDF needs no browser: a bar
chart of the ranking, a radar of a unit's pillars and a choropleth of the provinces."""

import math
from html import escape

RED = "#b22222"


def bar_chart(labels: list[str], values: list[float | None], *, width: int = 640) -> str:
    """Horizontal bars on a 0–100 scale, one row per label, in the order given."""
    row, left, right = 16, 130, 50
    height = row * len(labels) + 20
    scale = (width - left - right) / 100
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-size="10">'
    ]
    for tick in range(0, 101, 20):
        x = left + tick * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 16}" stroke="#ddd"/>'
            f'<text x="{x:.1f}" y="{height - 4}" text-anchor="middle" fill="#666">'
            f"{tick}</text>"
        )
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = i * row + 2
        parts.append(f'<text x="{left - 6}" y="{y + 11}" text-anchor="end">{escape(label)}</text>')
        if value is not None:
            length = max(value, 0) * scale
            parts.append(
                f'<rect x="{left}" y="{y + 2}" width="{length:.1f}" height="{row - 5}" '
                f'fill="{RED}"/><text x="{left + length + 4:.1f}" y="{y + 11}" fill="#333">'
                f"{value:.2f}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def radar(labels: list[str], values: list[float | None], *, size: int = 260) -> str:
    """A radar of scores on 0–100, one spoke per label; a missing score sits at the centre."""
    centre, radius = size / 2, size / 2 - 50
    n = len(labels)

    def point(i: int, r: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return centre + r * math.cos(angle), centre + r * math.sin(angle)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" font-size="9">'
    ]
    for level in (0.25, 0.5, 0.75, 1.0):
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, radius * level) for i in range(n)))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="#ddd"/>')
    for i, label in enumerate(labels):
        x, y = point(i, radius)
        lx, ly = point(i, radius + 16)
        parts.append(
            f'<line x1="{centre}" y1="{centre}" x2="{x:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{lx:.1f}" y="{ly + 3:.1f}" text-anchor="middle">{escape(label)}</text>'
        )
    shape = " ".join(
        f"{x:.1f},{y:.1f}"
        for x, y in (point(i, radius * (v or 0) / 100) for i, v in enumerate(values))
    )
    parts.append(f'<polygon points="{shape}" fill="{RED}" fill-opacity=".25" stroke="{RED}"/>')
    parts.append("</svg>")
    return "".join(parts)


def choropleth(
    features: list[dict], values: dict[str, float], key: str, *, width: int = 560
) -> str:
    """Polygons of GeoJSON `features` (lon/lat) filled by `values[feature.properties[key]]`, in
    an equirectangular projection corrected for China's mid latitude; grey where no value."""
    rings = [
        (feature["properties"].get(key), ring)
        for feature in features
        for polygon in _polygons(feature["geometry"])
        for ring in polygon[:1]  # outer rings: the holes do not matter at this scale
    ]
    xs = [lon for _k, ring in rings for lon, _lat in ring]
    ys = [lat for _k, ring in rings for _lon, lat in ring]
    stretch = math.cos(math.radians(35))
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    scale = width / ((x1 - x0) * stretch)
    height = int((y1 - y0) * scale) + 1
    low, high = (min(values.values()), max(values.values())) if values else (0, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
    ]
    for code, ring in rings:
        path = " ".join(
            f"{(lon - x0) * stretch * scale:.1f},{(y1 - lat) * scale:.1f}"
            for lon, lat in ring[:: max(1, len(ring) // 200)]
        )
        fill = _shade((values[code] - low) / ((high - low) or 1)) if code in values else "#eee"
        parts.append(f'<polygon points="{path}" fill="{fill}" stroke="#fff" stroke-width=".5"/>')
    parts.append("</svg>")
    return "".join(parts)


def _polygons(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"] if geometry["type"] == "MultiPolygon" else []


def _shade(t: float) -> str:
    """From a pale rose (t = 0) to the platform's red (t = 1)."""
    pale, deep = (0xFB, 0xE9, 0xE7), (0xB2, 0x22, 0x22)
    return "#" + "".join(f"{round(p + (d - p) * t):02x}" for p, d in zip(pale, deep, strict=True))


def rank_intervals(
    labels: list[str], intervals: list[tuple[int | None, int | None]], nominal: list[int | None]
) -> str:
    """One row per unit: a bar from the 5th to the 95th percentile rank and a dot at the rank as
    built; rank 1 on the left."""
    width, row, left, right = 640, 16, 130, 20
    count = max(len(labels), 2)
    height = row * len(labels) + 24
    scale = (width - left - right) / (count - 1)

    def x(rank: float) -> float:
        return left + (rank - 1) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-size="10">'
    ]
    for tick in range(1, count + 1, max(1, count // 10)):
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="0" x2="{x(tick):.1f}" y2="{height - 18}" stroke="#eee"/>'
            f'<text x="{x(tick):.1f}" y="{height - 6}" text-anchor="middle" fill="#666">'
            f"{tick}</text>"
        )
    for i, (label, (low, high), rank) in enumerate(zip(labels, intervals, nominal, strict=True)):
        y = i * row + 2
        parts.append(f'<text x="{left - 6}" y="{y + 11}" text-anchor="end">{escape(label)}</text>')
        if low is not None and high is not None:
            parts.append(
                f'<rect x="{x(low):.1f}" y="{y + 4}" width="{max(x(high) - x(low), 2):.1f}" '
                f'height="{row - 8}" fill="#e8a7a7"/>'
            )
        if rank is not None:
            parts.append(f'<circle cx="{x(rank):.1f}" cy="{y + 8}" r="3.5" fill="{RED}"/>')
    parts.append("</svg>")
    return "".join(parts)
