// Scroll through a series one slice at a time (a range input and the arrow keys) instead of the list of
// every slice that the page shows without JavaScript. Only the slice on screen is loaded.
(function () {
  "use strict";
  function setUp(series) {
    var slices = Array.prototype.slice.call(series.querySelectorAll(".consult-slice"));
    if (slices.length < 2) return;
    series.classList.add("consult-series-scroll");
    var range = document.createElement("input");
    range.type = "range";
    range.min = "1";
    range.max = String(slices.length);
    range.value = "1";
    range.className = "consult-range";
    range.setAttribute("aria-label", series.querySelector("h3").textContent);
    function show(index) {
      slices.forEach(function (slice, i) {
        slice.hidden = i !== index;
        if (i === index) {
          var img = slice.querySelector("img");
          img.loading = "eager";
        }
      });
    }
    range.addEventListener("input", function () { show(Number(range.value) - 1); });
    series.insertBefore(range, series.querySelector(".consult-slices"));
    show(0);
  }
  document.querySelectorAll("[data-consult-series]").forEach(setUp);
})();
