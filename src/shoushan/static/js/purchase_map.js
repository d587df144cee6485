// The year's purchased projects as markers at the places their organisations are domiciled;
// a marker's size grows with the money committed there, its popup lists the projects.
(function () {
  const { esc } = window.shoushan;
  const el = document.getElementById("project-map");
  const data = document.getElementById("project-places");
  if (!el || !data || !window.L) return;
  const places = JSON.parse(data.textContent);
  const map = L.map(el, { zoomSnap: 0.25 });
  window.shoushan.baseLayer(map, el.dataset.tiles);
  const awardUrl = (id) => el.dataset.award.replace("/0/", `/${id}/`);
  const yuan = (text) => "¥" + Number(text).toLocaleString("zh-CN", { minimumFractionDigits: 2 });
  const markers = places.map((p) => {
    const total = p.projects.reduce((sum, x) => sum + Number(x.amount), 0);
    const list = p.projects.map((x) =>
      `<li><a href="${esc(awardUrl(x.award_id))}">${esc(x.title)}</a><br>` +
      `${esc(x.organization)} · ${esc(yuan(x.amount))}</li>`).join("");
    return L.circleMarker([p.lat, p.lon], {
      radius: Math.min(22, 6 + Math.sqrt(total / 100000)), weight: 1, color: "#fff",
      fillColor: "#1f5f8b", fillOpacity: 0.8,
    }).bindTooltip(`${esc(p.place)} · ${p.projects.length} ${esc(el.dataset.labelProjects)}`)
      .bindPopup(`<b>${esc(p.place)}</b><ul class="plain">${list}</ul>`, { maxHeight: 260 });
  });
  // the viewer's region and its districts or streets, for context under the markers
  fetch(el.dataset.outline, { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : null))
    .then((data) => {
      if (!data) return;
      const context = L.geoJSON(data.children, {
        style: { color: "#888", weight: 1, fillColor: "#e8eef3", fillOpacity: 0.5 },
        onEachFeature: (f, layer) => layer.bindTooltip(esc(f.properties.name), { sticky: true }),
      }).addTo(map);
      context.bringToBack();
    });
  const group = L.featureGroup(markers).addTo(map);
  if (markers.length === 1) map.setView(markers[0].getLatLng(), 13);
  else map.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 14 });
})();
