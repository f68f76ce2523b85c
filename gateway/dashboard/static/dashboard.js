// edigate dashboard: small conveniences only; every page works without this file.
(function () {
  "use strict";
  // "/" focuses the search box, as on most sites with one.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT");
    if (event.key === "/" && !typing) {
      var box = document.querySelector("header input[type=search]");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    // Filters that are selects apply as soon as they change.
    Array.prototype.forEach.call(document.querySelectorAll("form.filters select"), function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  });
})();
