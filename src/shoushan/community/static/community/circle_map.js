// The service-circle map: communities green (every category within 15 minutes) or red, with the
// categories they miss; suggested sites in purple and numbered; region outlines underneath
// (outlines.js). A community's generated outline, where there is one, takes its point's colour.
(function () {
  const el = document.getElementById("circle-map");
  const source = document.getElementById("circle-data");
  if (!el || !source || !window.L) return;
  const data = JSON.parse(source.textContent);
  if (!data) return;
  const map = L.map(el, { zoomSnap: 0.25 });
  window.shoushan.baseLayer(map, el.dataset.tiles);
  const { esc } = window.shoushan;
  const label = (c) => (data.labels && data.labels[c]) || c;
  const status = {};
  data.origins.forEach((o) => { status[o.code] = o.missing.length ? "#b22222" : "#2f7d32"; });
  const points = data.origins.map((o) => L.circleMarker([o.lat, o.lon], {
    radius: 6, weight: 1, color: "#fff", fillOpacity: 0.9,
    fillColor: status[o.code], className: o.missing.length ? "origin gap" : "origin covered",
  }).bindTooltip(`<b>${esc(o.name)}</b> ${esc(o.code)}` +
    (o.missing.length ? `<br>${esc(el.dataset.missingLabel)}: ${o.missing.map((c) => esc(label(c))).join("、")}` : "") +
    (o.estimated ? `<br><i>${esc(el.dataset.estimatedLabel)}</i>` : "")));
  const sites = data.sites.map((s, i) => L.marker([s.lat, s.lon], {
    icon: L.divIcon({ className: "site-marker", html: String(i + 1), iconSize: [22, 22] }),
  }).bindTooltip(`${esc(el.dataset.siteLabel)} ${i + 1}: +${Math.round(s.gain)} · ${s.covered}`));
  const group = L.featureGroup([...points, ...sites]).addTo(map);
  const frame = (outlines) => {
    const bounds = group.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 });
    else if (outlines && outlines.getBounds().isValid()) map.fitBounds(outlines.getBounds());
    else map.setView([39.92, 116.39], 13);
  };
  frame(null);
  window.communityOutlines(map, el, { fill: (code) => status[code] || null }).then((outlines) => {
    const bounds = group.getBounds();
    const focus = outlines.focus.getBounds();
    if (bounds.isValid() && focus.isValid()) map.fitBounds(bounds.extend(focus), { padding: [24, 24] });
    else if (!bounds.isValid()) frame(outlines);
  });
})();
