// Progressive enhancement only: every page works without this file.
// (No inline scripts anywhere: the Content-Security-Policy allows scripts from 'self' only.)
document.addEventListener("DOMContentLoaded", () => {
  // Ask before a destructive or irreversible submit (forms carry data-confirm="question").
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});

// The partnership list's "select all on this page" (without JS, people tick each box).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-select-all]").forEach((label) => {
    const form = label.closest("form");
    const all = label.querySelector("[data-select-all-box]");
    const boxes = () => form.querySelectorAll('input[type="checkbox"][name="ids"]');
    label.hidden = false;
    all.addEventListener("change", () => {
      boxes().forEach((box) => {
        box.checked = all.checked;
      });
    });
    form.addEventListener("change", (event) => {
      if (event.target.name !== "ids") return;
      const ticked = [...boxes()].filter((box) => box.checked).length;
      all.checked = ticked > 0 && ticked === boxes().length;
      all.indeterminate = ticked > 0 && ticked < boxes().length;
    });
  });
});
