// What every page's scripts share. Loaded by the base layout before the page's own scripts.
// The Content-Security-Policy forbids inline script, so behaviour that pages used to write in
// attributes (onchange, javascript: links) is wired here from data attributes.
window.shoushan = {
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
