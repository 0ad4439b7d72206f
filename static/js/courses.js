// Courses: "mark everyone present" on the attendance sheet. The sheet works without it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-check-all]").forEach(function (button) {
      button.addEventListener("click", function () {
        var name = button.getAttribute("data-check-all");
        button.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
          box.checked = true;
        });
      });
    });
  });
})();
