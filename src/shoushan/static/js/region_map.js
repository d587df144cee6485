// Draws a region's boundary, its children's boundaries and its children's points with Leaflet,
// from our own GeoJSON (no tile server needed; a tile URL may be configured).
(function () {
  const el = document.getElementById("region-map");
  if (!el || !window.L) return;
  const map = L.map(el, { attributionControl: true, zoomSnap: 0.25 });
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 18 }).addTo(map);
  const link = (code) => (el.dataset.link || "/regions/000000000000/").replace("000000000000", code);
  const palette = ["#1f5f8b", "#b22222", "#2f7d32", "#7b3fa0", "#a15c00", "#00796b", "#5d4037", "#c2185b"];
  fetch(el.dataset.url, { headers: { Accept: "application/json" } })
    .then((r) => r.json())
    .then((data) => {
      const layers = [];
      if (data.boundary) {
        layers.push(L.geoJSON(data.boundary, { style: { color: "#555", weight: 2, fill: false } }).addTo(map));
      }
      if (data.children && data.children.features.length) {
        layers.push(L.geoJSON(data.children, {
          style: (f) => ({ color: "#fff", weight: 1.5, fillOpacity: 0.55,
            fillColor: palette[parseInt(f.properties.code.slice(4, 6), 10) % palette.length] }),
          onEachFeature: (f, layer) => {
            const c = f.properties.descendant_counts || {};
            layer.bindTooltip(`${f.properties.name}<br>${f.properties.code}<br>` +
              Object.entries(c).map(([k, v]) => `${el.dataset["label" + k[0].toUpperCase() + k.slice(1)] || k}: ${v}`).join("<br>"));
            layer.on("click", () => { window.location.href = link(f.properties.code); });
          },
        }).addTo(map));
      }
      if (data.points && data.points.length) {
        const group = L.featureGroup(data.points.map((p) => L.circleMarker([p.lat, p.lon], {
          radius: 5, weight: 1, color: "#fff", fillOpacity: 0.9,
          fillColor: p.source === "estimated" ? "#e0a100" : "#1f5f8b",
        }).bindTooltip(`${p.name}<br>${p.code}`).on("click", () => { window.location.href = link(p.code); })));
        group.addTo(map);
        layers.push(group);
      }
      const bounds = L.featureGroup(layers).getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
      else map.setView([39.9, 116.4], 9);
    });
})();
