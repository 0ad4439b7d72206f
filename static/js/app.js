// Overstap: progressive enhancement only; every page works without this file.
// Elements with data-progress-url poll a JSON endpoint ({status, percent, label, done}) and update
// a <progress> and a live region inside them; the page reloads once the work is done.
(function () {
  "use strict";
  function poll(el) {
    var url = el.getAttribute("data-progress-url");
    var bar = el.querySelector("progress");
    var label = el.querySelector(".progress-label");
    function tick() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (bar) { bar.value = data.percent; }
          if (label) { label.textContent = data.label; }
          if (data.done) {
            if (el.hasAttribute("data-reload-when-done")) { window.location.reload(); }
          } else {
            window.setTimeout(tick, 1000);
          }
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    }
    tick();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-progress-url]").forEach(poll);
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("submit", function (event) {
        if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });
})();
