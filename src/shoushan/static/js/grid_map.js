// The grid map: comprehensive grids with codes and workers, open cases coloured by time left.
(function () {
  const el = document.getElementById("grid-map");
  if (!el || !window.L) return;
  const { esc } = window.shoushan;
  const map = L.map(el, { zoomSnap: 0.25 });
  window.shoushan.baseLayer(map, el.dataset.tiles);
  const colour = (h) => (h === null ? "#888" : h < 0 ? "#b22222" : h < 24 ? "#e0a100" : "#2f7d32");
  fetch(el.dataset.url).then((r) => r.json()).then((data) => {
    const grids = L.geoJSON(data, {
      style: { color: "#1f5f8b", weight: 1, fillOpacity: 0.08 },
      onEachFeature: (f, layer) => {
        const p = f.properties;
        const workers = p.workers.length ? p.workers.join("、") : "—";
        layer.bindTooltip(`<b>${esc(p.code)}</b><br>${esc(p.name)}<br>` +
          `${esc(el.dataset.workersLabel)}: ${esc(workers)}` +
          (p.generated ? `<br><i>${esc(el.dataset.generatedLabel)}</i>` : ""));
      },
    }).addTo(map);
    const cases = L.featureGroup(data.cases.map((c) => L.circleMarker([c.lat, c.lon], {
      radius: 7, weight: 1, color: "#fff", fillOpacity: 0.95, fillColor: colour(c.hours_left),
    }).bindTooltip(`${esc(c.number)}<br>${esc(c.category)}<br>${esc(c.stage)}`)
      .on("click", () => { window.location.href = el.dataset.caseUrl.replace("/0/", `/${c.id}/`); }))).addTo(map);
    const bounds = grids.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] }); else map.setView([39.9, 116.4], 11);
  });
})();
