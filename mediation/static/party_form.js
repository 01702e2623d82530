// The form that corrects a party's particulars: a person's fields for a person, an organisation's for an
// organisation. Without this script both are shown; the server keeps what fits the kind chosen.
(function () {
  "use strict";

  var form = document.querySelector("form[data-party-form]");
  if (!form) return;

  function showKind() {
    var chosen = form.querySelector('input[name="kind"]:checked');
    var kind = chosen ? chosen.value : "person";
    form.querySelectorAll("[data-for-kind]").forEach(function (part) {
      part.hidden = part.getAttribute("data-for-kind") !== kind;
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches('input[name="kind"]')) showKind();
  });
  showKind();
})();
