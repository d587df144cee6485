// The service-circle map: communities green (every category within 15 minutes) or red, and
// suggested sites in purple.
(function () {
  const el = document.getElementById("circle-map");
  const source = document.getElementById("circle-data");
  if (!el || !source || !window.L) return;
  const data = JSON.parse(source.textContent);
  if (!data) return;
  const map = L.map(el, { zoomSnap: 0.25 });
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
  const esc = (s) => String(s).replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]);
  const points = data.origins.map((o) => L.circleMarker([o.lat, o.lon], {
    radius: 6, weight: 1, color: "#fff", fillOpacity: 0.9,
    fillColor: o.missing.length ? "#b22222" : "#2f7d32",
  }).bindTooltip(`<b>${esc(o.name)}</b> ${esc(o.code)}` +
    (o.missing.length ? `<br>${esc(el.dataset.missingLabel)}: ${o.missing.map(esc).join("、")}` : "") +
    (o.estimated ? `<br><i>${esc(el.dataset.estimatedLabel)}</i>` : "")));
  const sites = data.sites.map((s, i) => L.circleMarker([s.lat, s.lon], {
    radius: 9, weight: 2, color: "#fff", fillOpacity: 1, fillColor: "#6a3d9a",
  }).bindTooltip(`${esc(el.dataset.siteLabel)} ${i + 1}: +${Math.round(s.gain)}`));
  const group = L.featureGroup([...points, ...sites]).addTo(map);
  const bounds = group.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] }); else map.setView([39.92, 116.39], 13);
})();
