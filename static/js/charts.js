/*
 * What every chart family shares: Chart.js loaded on demand from this script tag's data-chartjs
 * attribute, and canvases drawn from json_script data (the Content-Security-Policy allows no inline
 * script). A family script (ltv_charts.js, health_chart.js) registers the canvas attribute that
 * names a canvas's data element and its drawing function per data-kind; a canvas with data-key
 * draws that key of the data. Canvases swapped in by htmx are drawn after each swap.
 *
 * A family registers by queueing [attribute, { kind: drawFunction, ... }] on window.prmChartFamilies
 * and dispatching "prm:chart-family" on the document: the queue works whichever script runs first
 * (scripts swapped in by htmx need not run in order).
 */
(function () {
  "use strict";
  if (window.prmCharts) {
    return; // a swapped-in partial loads this script again; the first copy keeps working
  }
  var script = document.currentScript;
  var chartSource = script ? script.getAttribute("data-chartjs") : null;
  var families = {};

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

  function drawFamily(attribute, kinds) {
    document.querySelectorAll("canvas[" + attribute + "]:not([data-drawn])").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute(attribute));
      var draw = kinds[canvas.dataset.kind];
      if (!source || !draw) {
        return;
      }
      canvas.setAttribute("data-drawn", "");
      var data = JSON.parse(source.textContent);
      var key = canvas.dataset.key;
      draw(canvas, key ? data[key] : data);
    });
  }

  function drawAll() {
    Object.keys(families).forEach(function (attribute) {
      drawFamily(attribute, families[attribute]);
    });
  }

  function registerQueued() {
    (window.prmChartFamilies || []).splice(0).forEach(function (family) {
      families[family[0]] = family[1];
    });
    withChart(drawAll);
  }

  window.prmCharts = {
    money: function (value) {
      return Number(value).toLocaleString(undefined, { maximumFractionDigits: 0 });
    }
  };
  document.addEventListener("prm:chart-family", registerQueued);
  document.addEventListener("htmx:afterSettle", function () {
    withChart(drawAll);
  });
  registerQueued();
})();
