// Buddy matching: progressive enhancement only. "Select all" for bulk approval of proposals.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-select-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        var form = box.closest("form");
        form.querySelectorAll("input[name='" + box.getAttribute("data-select-all") + "']").forEach(function (el) {
          el.checked = box.checked;
        });
      });
    });
  });
})();
