// Draws the report's charts with the vendored Chart.js (static/vendor/chartjs), from the JSON
// data block the page renders with `json_script` (id "chart-data"). Progressive enhancement:
// every number is already in the table beside its chart, and the page works without this file.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var palette = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#6c757d"];
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = data[canvas.dataset.chart];
      if (!spec) return;
      var round = spec.type === "doughnut";
      var datasets = spec.datasets.map(function (set, i) {
        var copy = Object.assign({}, set);
        if (!copy.backgroundColor) {
          copy.backgroundColor = round ? palette.slice(0, spec.labels.length) : palette[i % palette.length];
        }
        if (spec.type === "line") {
          copy.borderColor = palette[i % palette.length];
          copy.tension = 0.2;
        }
        return copy;
      });
      var options = {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: round || datasets.length > 1, position: "bottom" } },
      };
      if (!round) {
        options.indexAxis = spec.horizontal ? "y" : "x";
        options.scales = {
          x: { stacked: !!spec.stacked, beginAtZero: true },
          y: { stacked: !!spec.stacked, beginAtZero: true },
        };
      }
      new window.Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets: datasets }, options: options });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
