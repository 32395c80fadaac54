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
