// "Show in full" beside a party's masked phone, ID number and address: asks the server for the full values
// (which records the viewing in the audit log) and puts them in place of the masked ones. Without this
// script the link opens a small page with the same values.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-reveal]");
    if (!link) return;
    event.preventDefault();
    var holder = link.closest("[data-particulars]");
    fetch(link.href, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (body) {
        Object.keys(body.values || {}).forEach(function (name) {
          var place = holder.querySelector('[data-field="' + name + '"]');
          if (place) place.textContent = body.values[name];
        });
        var done = document.createElement("span");
        done.className = "text-body-secondary";
        done.setAttribute("role", "status");
        done.textContent = link.getAttribute("data-done") || "";
        link.replaceWith(done);
      })
      .catch(function () {
        window.location.href = link.href; // the page says why (or shows them) without the script
      });
  });
})();
