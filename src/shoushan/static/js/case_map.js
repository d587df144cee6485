// A case's point, with its community's grids for context.
(function () {
  const el = document.getElementById("case-map");
  if (!el || !window.L) return;
  const here = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
  const map = L.map(el).setView(here, 16);
  window.shoushan.baseLayer(map, el.dataset.tiles);
  if (el.dataset.grid) {
    fetch(el.dataset.grid).then((r) => r.json()).then((data) => {
      L.geoJSON(data, { style: { color: "#1f5f8b", weight: 1, fillOpacity: 0.06 } })
        .bindTooltip((layer) => window.shoushan.esc(layer.feature.properties.code)).addTo(map);
    });
  }
  L.circleMarker(here, { radius: 8, color: "#fff", weight: 2, fillColor: "#b22222", fillOpacity: 1 }).addTo(map);
})();
