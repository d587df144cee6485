// Draws a region's outline, its children's boundaries and its places' points with Leaflet,
// from our own GeoJSON (no tile server needed; a tile URL may be configured).
(function () {
  const { esc } = window.shoushan;
  const el = document.getElementById("region-map");
  if (!el || !window.L) return;
  const map = L.map(el, { zoomSnap: 0.25 });
  window.shoushan.baseLayer(map, el.dataset.tiles);
  const link = (code) => (el.dataset.link || "/regions/000000000000/").replace("000000000000", code);
  const label = (level) => el.dataset["label" + level[0].toUpperCase() + level.slice(1)] || level;
  const palette = ["#1f5f8b", "#b22222", "#2f7d32", "#7b3fa0", "#a15c00", "#00796b", "#5d4037", "#c2185b"];
  fetch(el.dataset.url, { headers: { Accept: "application/json" } })
    .then((r) => r.json())
    .then((data) => {
      const focus = []; // what the view frames; the outline is only context
      if (data.boundary) {
        L.geoJSON(data.boundary, { style: { color: "#555", weight: 2, fill: false } }).addTo(map);
      }
      if (data.children.features.length) {
        focus.push(L.geoJSON(data.children, {
          style: (f) => ({ color: "#fff", weight: 1.5, fillOpacity: 0.55,
            fillColor: palette[parseInt(f.properties.code.slice(4, 6), 10) % palette.length] }),
          onEachFeature: (f, layer) => {
            const counts = Object.entries(f.properties.descendant_counts || {})
              .map(([level, n]) => `${esc(label(level))}: ${esc(n)}`).join("<br>");
            if (el.dataset.labels) {
              layer.bindTooltip(esc(f.properties.name), { permanent: true, direction: "center", className: "district-label" });
              layer.bindPopup(`<b><a href="${esc(link(f.properties.code))}">${esc(f.properties.name)}</a></b>` +
                `<br>${esc(f.properties.code)}<br>${counts}`);
              return;
            }
            layer.bindTooltip(`<b>${esc(f.properties.name)}</b><br>${esc(f.properties.code)}<br>${counts}`);
            layer.on("click", () => { window.location.href = link(f.properties.code); });
          },
        }).addTo(map));
      }
      if (data.points.length) {
        focus.push(L.featureGroup(data.points.map((p) => L.circleMarker([p.lat, p.lon], {
          radius: 6, weight: 1, color: "#fff", fillOpacity: 0.9,
          fillColor: p.source === "estimated" ? "#e0a100" : "#1f5f8b",
        }).bindTooltip(`${esc(p.name)}<br>${esc(p.code)}`)
          .on("click", () => { window.location.href = link(p.code); }))).addTo(map));
      }
      const bounds = L.featureGroup(focus).getBounds();
      if (data.points.length === 1 && !data.children.features.length) {
        map.setView([data.points[0].lat, data.points[0].lon], 15);
      } else if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 });
      } else {
        map.setView([39.9, 116.4], 9);
      }
    });
})();
