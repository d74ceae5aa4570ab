/* The cohort report's charts (templates/reports/cohort_report.html), drawn with the vendored Chart.js.
   Each chart's data sits in a <script type="application/json" data-chart="<canvas id>"> block written by
   the server: {type, labels, datasets: [{label, data}], options: {horizontal, percent}}; type is "bar",
   "doughnut" or "line" (the trends: one line per indicator, cumulative progress in % by period). The tables
   beside the charts carry the same figures as text, so nothing is lost without JavaScript. No inline script
   (CSP). Arabic pages: legends and tooltips right to left, category axes start on the right. */
(function () {
  "use strict";

  if (!window.Chart) { return; }

  var root = document.documentElement;
  var lang = root.lang || "fr";
  var rtl = root.dir === "rtl";
  // Latin digits everywhere, as the server prints them (Arabic pages included).
  var locale = lang + "-u-nu-latn";
  var PALETTE = ["#0b5d5b", "#f0ad00", "#7a1f5c", "#0d6efd", "#6c757d", "#198754", "#dc3545", "#6f42c1"];

  var family = getComputedStyle(document.body).fontFamily;
  if (family) { Chart.defaults.font.family = family; }
  Chart.defaults.locale = locale;
  Chart.defaults.maintainAspectRatio = false;

  function colours(count, single) {
    var out = [];
    for (var i = 0; i < count; i += 1) { out.push(PALETTE[(single ? 0 : i) % PALETTE.length]); }
    return out;
  }

  // Long category names on several lines, so narrow screens neither cut nor steeply rotate them.
  function wrap(text, width) {
    if (typeof text !== "string" || text.length <= width) { return text; }
    var lines = [];
    var line = "";
    text.split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) { lines.push(line); }
    return lines;
  }

  function build(spec, narrow) {
    var options = spec.options || {};
    // Phones: every bar chart lies down, so category names are read across instead of rotated off-screen.
    var line = spec.type === "line";
    var horizontal = !line && (!!options.horizontal || narrow);
    var round = spec.type === "doughnut" || spec.type === "pie";
    var datasets = spec.datasets.map(function (ds, index) {
      var colour = round ? colours(spec.labels.length, false) : PALETTE[index % PALETTE.length];
      var out = { label: ds.label, data: ds.data, backgroundColor: colour, borderColor: round ? "#fff" : colour };
      if (line) {
        out.fill = false;
        out.spanGaps = true;
        out.tension = 0;
        out.pointRadius = 3;
        out.borderWidth = 2;
        if (index >= PALETTE.length) { out.borderDash = [6, 4]; }  // colours repeat: dashes tell the lines apart
      }
      return out;
    });
    var config = {
      type: spec.type,
      data: { labels: round ? spec.labels : spec.labels.map(function (l) { return wrap(l, narrow ? 18 : 26); }),
              datasets: datasets },
      options: {
        responsive: true,
        locale: locale,
        animation: false,
        plugins: {
          legend: { display: round || datasets.length > 1, rtl: rtl, position: "bottom",
                    textDirection: rtl ? "rtl" : "ltr" },
          tooltip: { rtl: rtl, textDirection: rtl ? "rtl" : "ltr" }
        }
      }
    };
    if (!round) {
      var valueAxis = { beginAtZero: true, ticks: { precision: options.percent ? undefined : 0 } };
      if (options.percent) {
        // the locale's own percent pattern, so Arabic pages read "60%" and not "% 60"
        var percentFormat = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
        valueAxis.ticks.callback = function (value) { return percentFormat.format(value / 100); };
      }
      var categoryAxis = { ticks: { autoSkip: false } };
      if (line) { categoryAxis.offset = true; }  // room for the first and last period labels
      config.options.indexAxis = horizontal ? "y" : "x";
      if (horizontal) {
        valueAxis.reverse = rtl;  // bars grow from the right on Arabic pages
        config.options.scales = { x: valueAxis, y: categoryAxis };
      } else {
        categoryAxis.reverse = rtl;  // first category on the right
        config.options.scales = { x: categoryAxis, y: valueAxis };
        if (rtl) { config.options.scales.y.position = "right"; }
      }
      if (horizontal && rtl) { config.options.scales.y.position = "right"; }
    }
    return config;
  }

  var blocks = document.querySelectorAll('script[type="application/json"][data-chart]');
  Array.prototype.forEach.call(blocks, function (block) {
    var canvas = document.getElementById(block.getAttribute("data-chart"));
    if (!canvas) { return; }
    try {
      var spec = JSON.parse(block.textContent);
      var narrow = canvas.parentNode.clientWidth < 520;
      if (spec.type === "line" && spec.datasets.length > 6) {
        // Many indicators: a taller box leaves room for the legend above the lines.
        canvas.parentNode.style.height = (320 + 18 * Math.ceil(spec.datasets.length / (narrow ? 1 : 3))) + "px";
      }
      if (spec.type === "bar" && (narrow || (spec.options && spec.options.horizontal))) {
        // Lying bars: the box grows with the number of bars and of wrapped label lines.
        var lines = 0;
        spec.labels.forEach(function (l) { var w = wrap(l, narrow ? 18 : 26); lines += Array.isArray(w) ? w.length : 1; });
        var bars = spec.labels.length * Math.max(1, spec.datasets.length);
        var height = 60 + Math.max(bars * 22, lines * 19);
        if (height > canvas.parentNode.clientHeight) {
          canvas.parentNode.style.height = height + "px";  // CSSOM: allowed by the CSP
        }
      }
      new Chart(canvas, build(spec, narrow));
    } catch (e) {
      // A chart that cannot be drawn leaves its table, which holds the same figures.
      canvas.setAttribute("hidden", "");
    }
  });
}());
