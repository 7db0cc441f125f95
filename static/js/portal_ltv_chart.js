/*
 * The portal's LTV trend: LTV with its 90% interval (a shaded band) and the realised part, from the
 * json_script element named by the canvas's data-ltv-chart attribute (the Content-Security-Policy
 * allows no inline script). Chart.js is loaded from the URL in this script tag's data-chartjs.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var chartSource = script ? script.getAttribute("data-chartjs") : null;
  var COLOURS = { ltv: "#2f5bea", band: "rgba(47, 91, 234, 0.12)", realised: "#1a7f4b" };

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

  function draw(canvas, data) {
    var band = { borderWidth: 0, pointRadius: 0, backgroundColor: COLOURS.band, borderColor: COLOURS.band };
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          Object.assign({ label: canvas.dataset.lowLabel, data: data.low, fill: false }, band),
          Object.assign({ label: canvas.dataset.highLabel, data: data.high, fill: "-1" }, band),
          { label: canvas.dataset.ltvLabel, data: data.ltv, borderColor: COLOURS.ltv, backgroundColor: COLOURS.ltv, tension: 0.2 },
          { label: canvas.dataset.realisedLabel, data: data.realised, borderColor: COLOURS.realised, backgroundColor: COLOURS.realised, borderDash: [6, 4], tension: 0.2 }
        ]
      },
      options: { maintainAspectRatio: false, interaction: { mode: "index", intersect: false } }
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-ltv-chart]:not([data-drawn])").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-ltv-chart"));
      if (!source) {
        return;
      }
      canvas.setAttribute("data-drawn", "");
      draw(canvas, JSON.parse(source.textContent));
    });
  }

  withChart(drawAll);
})();
