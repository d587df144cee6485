// The facilities map: one dot per facility of the viewer's scope (WGS84 GeoJSON), coloured by
// category, over the region outlines (outlines.js).
(function () {
  const el = document.getElementById("facility-map");
  if (!el || !window.L) return;
  const map = L.map(el, { zoomSnap: 0.25 });
  window.shoushan.baseLayer(map, el.dataset.tiles);
  const palette = ["#1f5f8b", "#2f7d32", "#b22222", "#e0a100", "#6a3d9a", "#ff7f00", "#17becf", "#8c564b", "#e377c2", "#7f7f7f"];
  const labels = JSON.parse(el.dataset.categoryLabels || "{}");
  const label = (c) => labels[c] || c;
  const colours = {};
  const colour = (c) => (colours[c] = colours[c] || palette[Object.keys(colours).length % palette.length]);
  const { esc } = window.shoushan;
  const outlines = window.communityOutlines(map, el);
  const facilities = fetch(el.dataset.url).then((r) => r.json()).then((data) => {
    const layer = L.geoJSON(data, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, {
        radius: 5, weight: 1, color: "#fff", fillOpacity: 0.9, fillColor: colour(f.properties.category),
      }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        l.bindTooltip(`<b>${esc(p.name)}</b><br>${esc(label(p.category))}${p.community ? "<br>" + esc(p.community) : ""}` +
          (p.generated ? `<br><i>${esc(el.dataset.generatedLabel)}</i>` : ""));
      },
    }).addTo(map);
    const legend = document.getElementById("facility-legend");
    if (legend) {
      legend.innerHTML = Object.entries(colours).sort().map(([c, fill]) =>
        `<span><i class="dot" style="background:${fill}"></i>${esc(label(c))}</span>`).join("");
    }
    return layer;
  });
  Promise.all([outlines, facilities]).then(([lines, layer]) => {
    let bounds = layer.getBounds().isValid() ? layer.getBounds() : lines.getBounds();
    if (bounds.isValid() && lines.focus.getBounds().isValid()) bounds = bounds.extend(lines.focus.getBounds());
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], maxZoom: 16 }); else map.setView([39.9, 116.4], 11);
  });
})();
