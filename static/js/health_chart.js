/*
 * Health charts: domain scores side by side (vendor vs. partner) and the overall score over time.
 * Data comes from a json_script element named by each canvas's data-health-chart attribute (the
 * Content-Security-Policy allows no inline script); charts.js, loaded first, loads Chart.js and
 * draws them, in a tab swapped in by htmx as well.
 */
(function () {
  "use strict";
  var COLOURS = { vendor: "#2f5bea", partner: "#1a7f4b" };

  function domainsChart(canvas, data) {
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.domains,
        datasets: [
          { label: canvas.dataset.vendorLabel, data: data.vendor, backgroundColor: COLOURS.vendor },
          { label: canvas.dataset.partnerLabel, data: data.partner, backgroundColor: COLOURS.partner }
        ]
      },
      options: {
        maintainAspectRatio: false,
        scales: { y: { min: 0, max: 100, title: { display: true, text: "Score (0-100)" } } }
      }
    });
  }

  function trendChart(canvas, data) {
    var dates = {};
    data.trend.vendor.concat(data.trend.partner).forEach(function (point) {
      dates[point.x] = true;
    });
    var labels = Object.keys(dates).sort();
    var line = function (label, points, colour) {
      return { label: label, data: points, borderColor: colour, backgroundColor: colour, spanGaps: true, tension: 0.2 };
    };
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: labels,
        datasets: [
          line(canvas.dataset.vendorLabel, data.trend.vendor, COLOURS.vendor),
          line(canvas.dataset.partnerLabel, data.trend.partner, COLOURS.partner)
        ]
      },
      options: { maintainAspectRatio: false, scales: { y: { min: 0, max: 100 } } }
    });
  }

  window.prmChartFamilies = (window.prmChartFamilies || []).concat([
    ["data-health-chart", { domains: domainsChart, trend: trendChart }]
  ]);
  document.dispatchEvent(new Event("prm:chart-family"));
})();
