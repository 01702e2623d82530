// The printable agreement's Print button. A file, not an onclick attribute: the Content-Security-Policy
// runs no inline script.
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
