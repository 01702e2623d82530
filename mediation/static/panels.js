// The forms of "What you can do", and those recording a session or adding a file, come when their panel is
// opened: the case page renders none of them up front. Each panel holds a link to its form as a page of its
// own; opening the panel puts the form in the link's place (or, if the case moved on, why it is not possible
// now). Should the fetch fail, the link stays.
document.addEventListener("show.bs.collapse", (event) => {
  const slot = event.target.querySelector(":scope > [data-panel-src], :scope > .accordion-body > [data-panel-src]");
  if (!slot || slot.getAttribute("aria-busy")) return;
  slot.setAttribute("aria-busy", "true");
  fetch(slot.dataset.panelSrc, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then((response) => (response.ok || response.status === 409 ? response.text() : Promise.reject()))
    .then((html) => {
      slot.parentElement.innerHTML = html;
    })
    .catch(() => slot.removeAttribute("aria-busy"));
});
