// Draws each chart from the JSON beside it; a click on a bar opens the items it counts.
// Charts follow their column's width (responsive); on a phone they drop what a narrow screen has no room for.
(function () {
  "use strict";
  var phone = window.matchMedia("(max-width: 575.98px)");
  function draw(element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source || typeof Plotly === "undefined") { return; }
    var figure = JSON.parse(source.textContent);
    var config = {responsive: true, displaylogo: false};
    if (phone.matches) {
      // The mode bar's tools are for a mouse and would sit on the bars; a heatmap's cells carry their numbers,
      // so its colour scale can go.
      config.displayModeBar = false;
      figure.data.forEach(function (trace) { if (trace.type === "heatmap") { trace.showscale = false; } });
      figure.layout.font = Object.assign({}, figure.layout.font, {size: 11});
    }
    Plotly.newPlot(element, figure.data, figure.layout, config).then(function () {
      element.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (point && typeof point.customdata === "string") { window.location.href = point.customdata; }
      });
    });
  }
  function filterTable(input) {
    var table = document.getElementById(input.dataset.filterTable);
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      table.querySelectorAll("tbody tr").forEach(function (row) {
        row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) === -1;
      });
    });
  }
  // Printed, every table shows: a closed <details> would hide its numbers on paper.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (details) { details.open = true; });
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
    // A phone turned sideways crosses the breakpoint: draw again for the new width.
    phone.addEventListener("change", function () { document.querySelectorAll("[data-chart]").forEach(draw); });
    document.querySelectorAll("[data-filter-table]").forEach(filterTable);
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
