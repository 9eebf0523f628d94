// The inbox: "tick all" and the count of ticked tickets. Everything works without it;
// the ticked boxes themselves survive the live updates through hx-preserve.
(function () {
  "use strict";
  function boxes() {
    return Array.from(document.querySelectorAll('input[name="tickets"][form="bulk"]'));
  }
  function update() {
    var count = document.getElementById("bulk-count");
    var all = document.getElementById("pick-all");
    var ticked = boxes().filter(function (b) { return b.checked; }).length;
    if (count) {
      count.textContent = ticked ? "✓ " + ticked : "";
    }
    if (all) {
      all.checked = ticked > 0 && ticked === boxes().length;
      all.indeterminate = ticked > 0 && ticked < boxes().length;
    }
  }
  document.addEventListener("change", function (event) {
    if (event.target.id === "pick-all") {
      boxes().forEach(function (b) { b.checked = event.target.checked; });
    }
    if (event.target.id === "pick-all" || event.target.name === "tickets") { update(); }
  });
  document.addEventListener("htmx:afterSettle", update);
  document.addEventListener("DOMContentLoaded", update);
})();
