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
