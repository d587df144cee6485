// The report form's map: a tap (or the device's location) puts the pin and fills the hidden
// latitude/longitude fields (WGS84).
(function () {
  const el = document.getElementById("report-map");
  if (!el || !window.L) return;
  const lat = document.getElementById("id_latitude");
  const lon = document.getElementById("id_longitude");
  const status = document.getElementById("pin-status");
  const map = L.map(el).setView([39.9165, 116.397], 10);
  window.shoushan.baseLayer(map, el.dataset.tiles);
  // Context without tiles: the reporter's own grids when signed in, else the districts.
  const context = el.dataset.grids || "/regions/110000000000/map.json";
  fetch(context).then((r) => r.json()).then((data) => {
    const shapes = data.type === "FeatureCollection" ? data : data.children;
    const layer = L.geoJSON(shapes, {
      style: { color: "#1f5f8b", weight: 1, fillOpacity: 0.05 },
      onEachFeature: (f, l) => l.bindTooltip(window.shoushan.esc(f.properties.name || f.properties.code)),
    }).addTo(map);
    if (!pin && layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
  });
  let pin = null;
  function place(latlng) {
    if (pin) pin.setLatLng(latlng); else pin = L.marker(latlng).addTo(map);
    lat.value = latlng.lat.toFixed(7);
    lon.value = latlng.lng.toFixed(7);
    status.textContent = `${lat.value}, ${lon.value}`;
  }
  map.on("click", (e) => place(e.latlng));
  if (lat.value && lon.value) place(L.latLng(parseFloat(lat.value), parseFloat(lon.value)));
  const me = document.getElementById("locate-me");
  if (me && navigator.geolocation) {
    me.addEventListener("click", () => navigator.geolocation.getCurrentPosition((p) => {
      const here = L.latLng(p.coords.latitude, p.coords.longitude);
      map.setView(here, 17);
      place(here);
    }));
  }
})();
