/*
 * LTV charts: a partner's LTV parts (realised, predicted, future, costs), an LTV trend with its 90%
 * band (partner, tenant, or the partner's own in the portal), and a model's calibration vs holdout.
 * Each canvas names its data by data-ltv-chart (the id of a json_script element) and its kind by
 * data-kind; charts.js, loaded first, loads Chart.js and draws them.
 */
(function () {
  "use strict";
  var money = function (value) {
    return window.prmCharts.money(value);
  };
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

  // The band is the area between the high and the low line (the legend names it once); the portal's
  // trend also draws the realised part. Labels come from the canvas, with English defaults.
  function trendChart(canvas, data) {
    var labels = canvas.dataset;
    var band = { borderColor: COLOURS.band, backgroundColor: COLOURS.band, pointRadius: 0 };
    var datasets = [
      Object.assign({ label: labels.bandLabel || "90% interval", data: data.high, fill: false }, band),
      Object.assign({ label: "90% low", data: data.low, fill: "-1" }, band),
      { label: labels.ltvLabel || "LTV", data: data.ltv, borderColor: COLOURS.line, backgroundColor: COLOURS.line, tension: 0.2 }
    ];
    if (data.realised) {
      datasets.push({
        label: labels.realisedLabel || "Realised",
        data: data.realised,
        borderColor: COLOURS.realised,
        backgroundColor: COLOURS.realised,
        borderDash: [6, 4],
        tension: 0.2
      });
    }
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: data.dates, datasets: datasets },
      options: {
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
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

  window.prmChartFamilies = (window.prmChartFamilies || []).concat([
    ["data-ltv-chart", { parts: partsChart, trend: trendChart, quality: qualityChart }]
  ]);
  document.dispatchEvent(new Event("prm:chart-family"));
})();
