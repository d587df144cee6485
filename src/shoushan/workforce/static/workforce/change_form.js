// "Record a change": show only the fields of the attribute chosen (without this script every
// field shows, each labelled with what it is for).
(function () {
  const form = document.getElementById("change-form");
  const data = document.getElementById("change-fields");
  if (!form || !data) return;
  const fields = JSON.parse(data.textContent);
  const attribute = form.querySelector("[name=attribute]");
  const every = new Set(Object.values(fields).flat());
  function show() {
    const wanted = new Set(fields[attribute.value] || []);
    for (const name of every) {
      const input = form.querySelector(`[name="${name}"]`);
      const box = input && input.closest("div");
      if (box) box.style.display = wanted.has(name) ? "" : "none";
    }
  }
  attribute.addEventListener("change", show);
  show();
})();
