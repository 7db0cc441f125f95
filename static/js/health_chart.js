/*
 * Health charts: domain scores side by side (vendor vs. partner) and the overall score over time.
 * Data comes from a json_script element named by each canvas's data-health-chart attribute, because
 * the Content-Security-Policy allows no inline script. Chart.js is loaded on demand from the URL in
 * this script tag's data-chartjs attribute, so a tab swapped in by htmx draws its charts as well.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var chartSource = script ? script.getAttribute("data-chartjs") : null;
  var COLOURS = { vendor: "#2f5bea", partner: "#1a7f4b" };

  function withChart(callback) {
    if (window.Chart) {
      callback();
      return;
    }
    var loader = document.querySelector("script[data-chartjs-loader]");
    if (!loader) {
      if (!chartSource) {
        return;
      }
      loader = document.createElement("script");
      loader.src = chartSource;
      loader.setAttribute("data-chartjs-loader", "");
      document.head.appendChild(loader);
    }
    loader.addEventListener("load", callback);
  }

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

  function drawAll() {
    document.querySelectorAll("canvas[data-health-chart]:not([data-drawn])").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-health-chart"));
      if (!source) {
        return;
      }
      canvas.setAttribute("data-drawn", "");
      var data = JSON.parse(source.textContent);
      if (canvas.dataset.kind === "trend") {
        trendChart(canvas, data);
      } else {
        domainsChart(canvas, data);
      }
    });
  }

  withChart(drawAll);
})();
