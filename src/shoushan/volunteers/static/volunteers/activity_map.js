// The activity's place on the map (WGS84). On the activity form a tap fills the longitude and
// latitude fields. Without a tile server, the districts' outlines give the context.
(function () {
  const el = document.getElementById("activity-map");
  if (!el || !window.L) return;
  const map = L.map(el).setView([39.9165, 116.397], 11);
  window.shoushan.baseLayer(map, el.dataset.tiles);
  fetch("/regions/110000000000/map.json").then((r) => r.json()).then((data) => {
    const shapes = data.type === "FeatureCollection" ? data : data.children;
    L.geoJSON(shapes, { style: { color: "#1f5f8b", weight: 1, fillOpacity: 0.03 } }).addTo(map);
  }).catch(() => {});
  // The marker's images by their static URLs: Leaflet's guess from leaflet.css fails once the
  // static files carry hashed names.
  const icon = el.dataset.icon
    ? L.icon({
        iconUrl: el.dataset.icon,
        iconRetinaUrl: el.dataset.icon2x,
        shadowUrl: el.dataset.shadow,
        iconSize: [25, 41],
        iconAnchor: [12, 41],
        popupAnchor: [1, -34],
        shadowSize: [41, 41],
      })
    : new L.Icon.Default();
  let pin = null;
  function place(lat, lon) {
    if (pin) pin.setLatLng([lat, lon]); else pin = L.marker([lat, lon], { icon }).addTo(map);
  }
  if (el.dataset.lat && el.dataset.lon) {
    place(parseFloat(el.dataset.lat), parseFloat(el.dataset.lon));
    map.setView([parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], 15);
  }
  if (el.dataset.pick) {
    const lon = document.querySelector("input[name=longitude]");
    const lat = document.querySelector("input[name=latitude]");
    map.on("click", (e) => {
      place(e.latlng.lat, e.latlng.lng);
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
    });
  }
})();
