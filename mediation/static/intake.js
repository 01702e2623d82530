// The intake form: add and remove party blocks, find people already on file as a name or a whole phone
// number is typed (one file per person), show a person's or an organisation's fields, and offer only the
// chosen station's mediators. Without this script the form still works: it has three party blocks, blank
// ones are ignored, and every block shows a person's and an organisation's fields.
(function () {
  "use strict";

  var form = document.querySelector("form[data-intake]");
  if (!form) return;

  var blocks = document.getElementById("party-blocks");
  var template = document.getElementById("party-template");
  var addButton = form.querySelector("[data-add-party]");
  var status = form.querySelector("[data-party-status]");
  var searchUrl = form.getAttribute("data-search-url");
  var text = {
    cases: form.getAttribute("data-text-cases") || "{count}",
    none: form.getAttribute("data-text-none") || "",
    found: form.getAttribute("data-text-found") || "{count}",
  };

  // --- Adding and removing party blocks -------------------------------------------------------------

  function blockIndex(block) {
    var input = block.querySelector("[data-party-id]");
    var match = input && /^parties-(\d+)-/.exec(input.name);
    return match ? parseInt(match[1], 10) : -1;
  }

  function renumber() {
    var all = blocks.querySelectorAll("[data-party-block]");
    for (var i = 0; i < all.length; i++) {
      var number = all[i].querySelector("[data-party-number]");
      if (number) number.textContent = String(i + 1);
    }
  }

  function addBlock() {
    var next = -1;
    blocks.querySelectorAll("[data-party-block]").forEach(function (block) {
      next = Math.max(next, blockIndex(block));
    });
    var html = template.innerHTML.replace(/__prefix__/g, String(next + 1));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var block = holder.firstElementChild;
    blocks.appendChild(block);
    showKind(block);
    renumber();
    var name = block.querySelector('[data-party-search="name"]');
    if (name) name.focus();
  }

  if (addButton && template) {
    addButton.hidden = false;
    addButton.addEventListener("click", addBlock);
  }

  // --- Finding people on file -------------------------------------------------------------------------

  var timer = null;
  var pending = null;

  function block(el) {
    return el.closest("[data-party-block]");
  }

  function hideSuggestions(partyBlock) {
    var list = partyBlock.querySelector("[data-suggestions]");
    if (list) {
      list.hidden = true;
      list.textContent = "";
    }
  }

  function describe(person) {
    var bits = [];
    if (person.phone) bits.push(person.phone);
    if (person.id_number) bits.push(person.id_number);
    bits.push(text.cases.replace("{count}", String(person.cases)));
    return bits.join(" · ");
  }

  function pick(partyBlock, person) {
    partyBlock.querySelector("[data-party-id]").value = String(person.id);
    var name = partyBlock.querySelector('[data-party-search="name"]');
    name.value = person.name;
    name.setAttribute("data-picked-name", person.name);
    var phone = partyBlock.querySelector('[data-party-search="phone"]');
    // The full number stays on file; only a new one typed here would fill a gap in it.
    if (phone && phone.value && phone.value.indexOf("*") !== -1) phone.value = "";
    if (phone && person.phone) phone.placeholder = person.phone;
    var note = partyBlock.querySelector("[data-picked]");
    note.querySelector("[data-picked-summary]").textContent = person.name + " · " + describe(person);
    note.querySelector("[data-picked-link]").href = person.url;
    note.hidden = false;
    hideSuggestions(partyBlock);
  }

  function unpick(partyBlock) {
    partyBlock.querySelector("[data-party-id]").value = "";
    var name = partyBlock.querySelector('[data-party-search="name"]');
    name.removeAttribute("data-picked-name");
    var phone = partyBlock.querySelector('[data-party-search="phone"]');
    if (phone) phone.placeholder = "";
    var note = partyBlock.querySelector("[data-picked]");
    note.hidden = true;
    note.querySelector("[data-picked-summary]").textContent = "";
  }

  function show(input, people) {
    var partyBlock = block(input);
    var list = partyBlock.querySelector("[data-suggestions]");
    list.textContent = "";
    // Right under the row of the field being typed in.
    var row = input.closest(".row") || input.parentElement;
    if (row.nextElementSibling !== list) row.after(list);
    if (!people.length) {
      list.hidden = true;
      status.textContent = text.none;
      return;
    }
    people.forEach(function (person) {
      var item = document.createElement("button");
      item.type = "button";
      item.className = "list-group-item list-group-item-action";
      var who = document.createElement("span");
      who.className = "fw-semibold";
      who.textContent = person.name;
      var what = document.createElement("span");
      what.className = "small text-body-secondary ms-2";
      what.textContent = describe(person);
      item.appendChild(who);
      item.appendChild(what);
      item.addEventListener("click", function () {
        pick(partyBlock, person);
        partyBlock.querySelector('[data-party-search="phone"]').focus();
      });
      list.appendChild(item);
    });
    list.hidden = false;
    status.textContent = text.found.replace("{count}", String(people.length));
  }

  // A phone is only ever matched in full (the list shows it masked): ask once it is a whole number.
  function wholePhone(value) {
    var digits = value.replace(/[\s\-.()\[\]\/]/g, "").replace(/^(\+86|0086|86(?=1\d{10}$))/, "");
    return /^(1[3-9]\d{9}|0[1-9]\d{8,10}|[2-9]\d{6,7})$/.test(digits);
  }

  function lookup(input) {
    var partyBlock = block(input);
    var query = input.value.trim();
    var isPhone = input.getAttribute("data-party-search") === "phone";
    if (pending) pending.abort();
    if (!query || (isPhone && !wholePhone(query)) || query.indexOf("*") !== -1) {
      hideSuggestions(partyBlock);
      return;
    }
    pending = new AbortController();
    fetch(searchUrl + "?q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: pending.signal,
    })
      .then(function (response) {
        if (response.status === 429) {
          // Throttled: say so, and let typing on register a new person or pick later.
          return response.json().then(function (body) {
            status.textContent = (body.error && body.error.message) || "";
            return null;
          });
        }
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (body) {
        if (body && input.value.trim() === query) show(input, body.results || []);
      })
      .catch(function () {
        /* aborted or offline: typing on simply registers a new person */
      });
  }

  form.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-party-search]")) return;
    var partyBlock = block(input);
    var pickedName = partyBlock.querySelector('[data-party-search="name"]').getAttribute("data-picked-name");
    if (input.getAttribute("data-party-search") === "name" && pickedName && input.value !== pickedName) {
      unpick(partyBlock); // a different name: not the person picked
    }
    clearTimeout(timer);
    timer = setTimeout(function () {
      lookup(input);
    }, 250);
  });

  form.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && event.target.closest && event.target.closest("[data-party-block]")) {
      hideSuggestions(block(event.target));
    }
  });

  form.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("[data-clear-party]")) {
      var partyBlock = block(target);
      unpick(partyBlock);
      partyBlock.querySelector('[data-party-search="name"]').focus();
    } else if (target.closest("[data-remove-party]")) {
      block(target).remove();
      renumber();
      if (addButton) addButton.focus();
    }
  });

  // A block re-shown after an error keeps its pick: remember the name so editing it un-picks.
  blocks.querySelectorAll("[data-party-block]").forEach(function (partyBlock) {
    if (partyBlock.querySelector("[data-party-id]").value) {
      var name = partyBlock.querySelector('[data-party-search="name"]');
      name.setAttribute("data-picked-name", name.value);
    }
  });

  // --- A person or an organisation ------------------------------------------------------------------
  // Each block shows the ID number for a person, the legal representative and credit code for an
  // organisation (without this script it shows all three; the server keeps what fits the kind).

  function showKind(partyBlock) {
    var box = partyBlock.querySelector("[data-party-organisation]");
    var kind = box && box.checked ? "organisation" : "person";
    partyBlock.querySelectorAll("[data-for-kind]").forEach(function (part) {
      part.hidden = part.getAttribute("data-for-kind") !== kind;
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-party-organisation]")) showKind(block(event.target));
  });
  blocks.querySelectorAll("[data-party-block]").forEach(showKind);

  // --- Mediators of the chosen station ----------------------------------------------------------------

  var station = form.querySelector('select[name="station"]');
  var mediator = form.querySelector('select[name="mediator"]');
  function limitMediators() {
    if (!station || !mediator) return;
    var chosen = station.options[station.selectedIndex];
    var label = chosen && chosen.value ? chosen.text : null;
    mediator.querySelectorAll("optgroup").forEach(function (group) {
      var other = label !== null && group.label !== label;
      group.hidden = other;
      group.disabled = other;
    });
    var selected = mediator.options[mediator.selectedIndex];
    if (selected && selected.parentElement.disabled) mediator.value = "";
  }
  if (station && mediator && mediator.querySelector("optgroup")) {
    station.addEventListener("change", limitMediators);
    limitMediators();
  }
})();
