/*
 * LTV charts: a partner's LTV parts (realised, predicted, future, costs), an LTV trend with its 90%
 * band (partner or tenant), and a model's calibration vs holdout. Each canvas names its data by
 * data-ltv-chart (the id of a json_script element) and its kind by data-kind, because the
 * Content-Security-Policy allows no inline script. Chart.js is loaded on demand from this script
 * tag's data-chartjs attribute, so panels swapped in by htmx draw their charts too.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var chartSource = script ? script.getAttribute("data-chartjs") : null;
  var COLOURS = {
    line: "#2f5bea",
    band: "rgba(47, 91, 234, 0.15)",
    realised: "#1a7f4b",
    predicted: "#2f5bea",
    future: "#8a63d2",
    costs: "#c0392b",
    actual: "#1a7f4b",
    marker: "#888888"
  };

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

  function money(value) {
    return Number(value).toLocaleString(undefined, { maximumFractionDigits: 0 });
  }

  function partsChart(canvas, data) {
    var colours = [COLOURS.realised, COLOURS.predicted, COLOURS.future, COLOURS.costs];
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: canvas.dataset.label || "Value", data: data.values, backgroundColor: colours }]
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { x: { ticks: { callback: money } } }
      }
    });
  }

  function trendChart(canvas, data) {
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.dates,
        datasets: [
          { label: "90% interval", data: data.high, borderColor: COLOURS.band, backgroundColor: COLOURS.band, pointRadius: 0, fill: false },
          { label: "90% low", data: data.low, borderColor: COLOURS.band, backgroundColor: COLOURS.band, pointRadius: 0, fill: "-1" },
          { label: "LTV", data: data.ltv, borderColor: COLOURS.line, backgroundColor: COLOURS.line, tension: 0.2 }
        ]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: {
            labels: {
              filter: function (item) {
                return item.datasetIndex !== 1;
              }
            }
          }
        },
        scales: { y: { ticks: { callback: money } } }
      }
    });
  }

  // A vertical line at the calibration end, drawn by a chart-local plugin (no annotation plugin).
  function markerPlugin(index) {
    return {
      id: "calibrationEnd",
      afterDatasetsDraw: function (chart) {
        if (index === null || index === undefined) {
          return;
        }
        var x = chart.scales.x.getPixelForValue(index);
        var area = chart.chartArea;
        var ctx = chart.ctx;
        ctx.save();
        ctx.strokeStyle = COLOURS.marker;
        ctx.setLineDash([4, 4]);
        ctx.beginPath();
        ctx.moveTo(x, area.top);
        ctx.lineTo(x, area.bottom);
        ctx.stroke();
        ctx.restore();
      }
    };
  }

  function qualityChart(canvas, data) {
    var index = null;
    if (data.calibration_end_week !== null && data.calibration_end_week !== undefined) {
      index = data.weeks.indexOf(data.calibration_end_week);
      if (index < 0) {
        index = null;
      }
    }
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.weeks,
        datasets: [
          { label: "Actual", data: data.actual, borderColor: COLOURS.actual, backgroundColor: COLOURS.actual },
          { label: "Predicted", data: data.predicted, borderColor: COLOURS.line, backgroundColor: COLOURS.line, borderDash: [6, 3] }
        ]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { title: { display: true, text: "Week" } },
          y: { title: { display: true, text: "Cumulative repeat transactions" } }
        }
      },
      plugins: [markerPlugin(index)]
    });
  }

  var KINDS = { parts: partsChart, trend: trendChart, quality: qualityChart };

  function drawAll() {
    document.querySelectorAll("canvas[data-ltv-chart]:not([data-drawn])").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-ltv-chart"));
      var draw = KINDS[canvas.dataset.kind];
      if (!source || !draw) {
        return;
      }
      canvas.setAttribute("data-drawn", "");
      var data = JSON.parse(source.textContent);
      var key = canvas.dataset.key;
      draw(canvas, key ? data[key] : data);
    });
  }

  withChart(drawAll);
  // htmx runs this script again with every panel it swaps in; one listener is enough.
  if (!window.ltvChartsListening) {
    window.ltvChartsListening = true;
    document.addEventListener("htmx:afterSettle", function () {
      withChart(drawAll);
    });
  }
})();
