// What every page's scripts share. Loaded by the base layout before the page's own scripts.
// The Content-Security-Policy forbids inline script, so behaviour that pages used to write in
// attributes (onchange, javascript: links) is wired here from data attributes.
window.shoushan = {
  // Every map's background: the city's own tile server when SHOUSHAN_MAP_TILE_URL names one,
  // else the roads of the shipped OpenStreetMap extract and the names of streets and communities,
  // drawn for the view at street zoom (/community/basemap.json).
  baseLayer: (map, tiles) => {
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
      return;
    }
    const layer = L.layerGroup().addTo(map);
    const renderer = L.canvas({ padding: 0.2 });
    map.attributionControl.addAttribution("© OpenStreetMap contributors (ODbL)");
    let asked = 0;
    const draw = () => {
      const b = map.getBounds();
      const serial = ++asked;
      const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(5));
      fetch(`/community/basemap.json?bbox=${bbox.join(",")}`).then((r) => r.json()).then((data) => {
        if (serial !== asked) return;  // the view moved on meanwhile
        layer.clearLayers();
        data.roads.forEach((road) => L.polyline(road.map(([lon, lat]) => [lat, lon]), {
          renderer, color: "#9aa5b1", weight: 1.5, interactive: false,
        }).addTo(layer));
        data.places.forEach((p) => L.marker([p.lat, p.lon], {
          interactive: false,
          keyboard: false,
          icon: L.divIcon({ className: `basemap-label ${p.level}`, html: window.shoushan.esc(p.name), iconSize: null }),
        }).addTo(layer));
      });
    };
    map.on("moveend", draw);
    map.whenReady(draw);
  },
  // Text put into HTML — Leaflet's tooltips and popups take HTML — goes through esc(): names of
  // grids, communities and facilities come from files that people upload.
  esc: (value) =>
    String(value ?? "").replace(/[&<>"']/g, (ch) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]),
};

// With scripts the phone's navigation waits behind the menu button; without them it stays open.
document.documentElement.classList.add("js");
document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".menu-toggle");
  if (!toggle) return;
  const open = document.getElementById("sidebar").classList.toggle("open");
  toggle.setAttribute("aria-expanded", String(open));
  if (open) window.scrollTo(0, 0);
});

document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-submit-on-change]")) event.target.form.submit();
});
document.addEventListener("click", (event) => {
  const back = event.target.closest("a[data-back]");
  if (back) {
    event.preventDefault();
    history.back();
  }
});

// A region is chosen by typing its name: an input marked data-region-picker (its value stays the
// 12-digit code the server expects) suggests the places whose names contain what was typed, from
// the public region API; data-region-picker="community" keeps to one level.
(function () {
  let serial = 0;
  document.querySelectorAll("input[data-region-picker]").forEach((input) => {
    const list = document.createElement("datalist");
    list.id = `region-options-${++serial}`;
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    input.after(list);
    const level = input.dataset.regionPicker;
    let timer = null;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const text = input.value.trim();
      if (text.length < 2 || /^\d{12}$/.test(text)) return;
      const query = new URLSearchParams({ search: text, limit: "20" });
      if (level && level !== "any") query.set("level", level);
      timer = setTimeout(() => {
        fetch(`/api/v1/regions?${query}`)
          .then((r) => r.json())
          .then((rows) => {
            list.replaceChildren(...rows.map((row) => {
              const option = document.createElement("option");
              option.value = row.code;
              option.label = row.path;
              return option;
            }));
          });
      }, 250);
    });
  });
})();

// A long category list chosen in two steps: select[data-two-level] ("major › sub" options) gets a
// first list of the major classes before it, which narrows the second; with none chosen, or
// without scripts, every option stays.
document.querySelectorAll("select[data-two-level]").forEach((select) => {
  const options = [...select.options].map((o) => o.cloneNode(true));
  const majorOf = (option) => option.text.split(" › ")[0];
  const majors = [...new Set(options.filter((o) => o.value).map(majorOf))];
  const first = document.createElement("select");
  first.className = "major-class";
  first.setAttribute("aria-label", select.dataset.twoLevel);
  first.append(new Option(select.dataset.twoLevel, ""), ...majors.map((m) => new Option(m, m)));
  select.before(first);
  const narrow = () => {
    const kept = select.value;
    select.replaceChildren(...options
      .filter((o) => !o.value || !first.value || majorOf(o) === first.value)
      .map((o) => o.cloneNode(true)));
    select.value = kept;
  };
  const chosen = options.find((o) => o.value && o.value === select.value);
  if (chosen) first.value = majorOf(chosen);
  first.addEventListener("change", () => { narrow(); select.focus(); });
  narrow();
});
