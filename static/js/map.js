// The partners map is plain server-side SVG and needs no script (its links are great-circle
// arcs computed on the server, cut at the antimeridian). This only links a line on the
// map with its row in the table beside it: pointing at one highlights the other.
(function () {
  "use strict";
  function link() {
    var map = document.querySelector("svg.partner-map");
    if (!map) return;
    function mark(id, on) {
      document.querySelectorAll('[data-link="' + id + '"]').forEach(function (el) {
        el.classList.toggle("is-highlighted", on);
      });
    }
    document.querySelectorAll("[data-link]").forEach(function (el) {
      var id = el.getAttribute("data-link");
      el.addEventListener("mouseenter", function () { mark(id, true); });
      el.addEventListener("mouseleave", function () { mark(id, false); });
      el.addEventListener("focusin", function () { mark(id, true); });
      el.addEventListener("focusout", function () { mark(id, false); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", link);
  } else {
    link();
  }
})();
