/*
 * Inline MDF decisions (approve, reject, reimburse) answer a refused decision with status 400 and
 * the table row showing the error. htmx swaps only 2xx answers by default, so inside an element
 * marked [data-swap-errors] a 400 is swapped in like a success. Loaded by the pages that have such
 * forms; safe to load twice (the 360 page loads tabs with htmx, which runs their scripts again).
 */
(function () {
  "use strict";
  if (window.prmSwapErrorsReady) {
    return;
  }
  window.prmSwapErrorsReady = true;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var source = detail.requestConfig && detail.requestConfig.elt;
    if (detail.xhr.status === 400 && source && source.closest && source.closest("[data-swap-errors]")) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
})();
