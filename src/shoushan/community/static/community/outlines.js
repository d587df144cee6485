// Region outlines under the community maps, from our own boundaries (no tiles needed): the
// page embeds its `context` outlines (#map-outlines) and names the regions app's endpoint of
// the children's boundaries (`children_url`). `communityOutlines(map, el, { fill })` draws both
// below the markers and resolves to the layer group, whose bounds frame a map without points.
// `fill(code)` may give a community outline a fill colour (the service circle's gaps).
window.communityOutlines = function (map, el, options) {
  const source = document.getElementById("map-outlines");
  const data = source ? JSON.parse(source.textContent) : null;
  const group = L.featureGroup().addTo(map);
  group.focus = L.featureGroup();
  if (!data) return Promise.resolve(group);
  const fill = (options && options.fill) || (() => null);
  const note = document.getElementById("outline-note");
  const styles = {
    district: { color: "#444", weight: 2.5 },
    street: { color: "#1f5f8b", weight: 2 },
    community: { color: "#777", weight: 1 },
  };
  // Names on the map for the districts under the city and for streets; communities on hover.
  const permanent = (level, n) => (level === "district" ? n > 1 : level === "street") && n <= 40;
  const focus = group.focus; // the streets and communities: what a map of a street frames
  const draw = (features) => {
    if (!features.length) return;
    const counts = {};
    features.forEach((f) => { counts[f.properties.level] = (counts[f.properties.level] || 0) + 1; });
    L.geoJSON({ type: "FeatureCollection", features }, {
      interactive: true,
      style: (f) => {
        const p = f.properties;
        const level = p.level || "community";
        const colour = level === "community" ? fill(p.code) : null;
        return Object.assign({}, styles[level] || styles.community, {
          fill: Boolean(colour), fillColor: colour || "#fff", fillOpacity: colour ? 0.18 : 0,
          dashArray: p.generated ? "6 4" : null,
        });
      },
      onEachFeature: (f, layer) => {
        const p = f.properties;
        const level = p.level || "community";
        if (permanent(level, counts[level] || 0)) {
          layer.bindTooltip(window.shoushan.esc(p.name), { permanent: true, direction: "center", className: "outline-label" });
        } else {
          layer.bindTooltip(window.shoushan.esc(p.name), { sticky: true });
        }
        if (p.generated && note) note.hidden = false;
        if (level !== "district") focus.addLayer(L.geoJSON(f));
      },
    }).addTo(group);
    group.bringToBack();
    el.dataset.outlines = String(Number(el.dataset.outlines || 0) + features.length);
  };
  draw(data.context || []);
  if (!data.children_url) return Promise.resolve(group);
  return fetch(data.children_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : { features: [] }))
    .then((children) => {
      // The regions endpoint does not name the level: the children of the city are districts,
      // those of a street communities.
      const level = data.children_level || "community";
      draw((children.features || []).map((f) => ({
        type: "Feature", geometry: f.geometry,
        properties: { code: f.properties.code, name: f.properties.name, level, generated: Boolean(data.children_generated) },
      })));
      return group;
    })
    .catch(() => group);
};
