// The navigation bar's search box as an ARIA combobox (progressive enhancement: without this
// file the box is a form whose Enter opens the results page). htmx fills the list box as one
// types; the arrow keys move through its options (aria-activedescendant, focus stays in the
// box), Enter opens the one chosen (or, with none chosen, submits the form), Escape closes.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-search-box]").forEach((form) => {
    const input = form.querySelector("[role=combobox]");
    const listbox = form.querySelector("[role=listbox]");
    if (!input || !listbox) return;
    let active = -1;

    const options = () => Array.from(listbox.querySelectorAll("[role=option]"));
    // `index` wraps around the options; null chooses none.
    const choose = (index) => {
      const all = options();
      active = index === null || !all.length ? -1 : (index + all.length) % all.length;
      all.forEach((option, i) => {
        option.classList.toggle("active", i === active);
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", all[active].id);
        all[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    };
    const open = (shown) => {
      const show = shown && listbox.children.length > 0 && input.value.trim() !== "";
      listbox.classList.toggle("show", show);
      input.setAttribute("aria-expanded", show ? "true" : "false");
      if (!show) choose(null);
    };

    listbox.addEventListener("htmx:afterSwap", () => {
      open(true);
      choose(null);
    });
    input.addEventListener("keydown", (event) => {
      const expanded = input.getAttribute("aria-expanded") === "true";
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!options().length) return;
        event.preventDefault();
        if (!expanded) open(true);
        const step = event.key === "ArrowDown" ? 1 : -1;
        choose(active < 0 ? (step > 0 ? 0 : -1) : active + step);
      } else if (event.key === "Enter" && expanded && active >= 0) {
        event.preventDefault();
        window.location.assign(options()[active].href);
      } else if (event.key === "Escape" && expanded) {
        event.preventDefault();
        open(false);
      }
    });
    input.addEventListener("focus", () => open(true));
    // Closing when the focus leaves the form (a click on an option follows its link first).
    form.addEventListener("focusout", (event) => {
      if (!form.contains(event.relatedTarget)) open(false);
    });
  });
});
