// The activation form (incidents/_activate.html). Everything here is a shortcut: without it the filter
// box submits its own GET form and the plan's leading group is pre-set for the plan shown first.
// Listeners sit on the document, because htmx inserts the form into the room after the page loaded.
(function () {
  "use strict";

  // Rows the filter text does not match are hidden, except chosen ones: a choice never disappears.
  function applyFilter(box) {
    var list = document.querySelector(box.getAttribute("data-yj-filter"));
    if (!list) return;
    var text = box.value.trim();
    var shown = 0;
    list.querySelectorAll("[data-yj-unit]").forEach(function (unit) {
      var unitShown = 0;
      unit.querySelectorAll("[data-yj-text]").forEach(function (row) {
        var chosen = row.querySelector("input:checked") !== null;
        var match = !text || row.getAttribute("data-yj-text").indexOf(text) !== -1;
        row.hidden = !(match || chosen);
        if (!row.hidden) unitShown += 1;
      });
      unit.hidden = unitShown === 0;
      shown += unitShown;
    });
    var none = list.querySelector("[data-yj-none]");
    if (none) none.hidden = shown > 0;
  }

  // Choosing a plan sets the leading group its positions propose (when it names one).
  function applyProposal(radio) {
    var form = radio.form;
    var leader = radio.getAttribute("data-leader");
    var deputies = (radio.getAttribute("data-deputies") || "").split(" ").filter(Boolean);
    var members = (radio.getAttribute("data-members") || "").split(" ").filter(Boolean);
    if (!leader && !deputies.length && !members.length) return;
    if (leader) {
      var lead = form.querySelector('input[name="leader"][value="' + leader + '"]');
      if (lead) lead.checked = true;
    }
    form.querySelectorAll('input[name="deputies"]').forEach(function (box) {
      box.checked = deputies.indexOf(box.value) !== -1;
    });
    form.querySelectorAll('input[name="members"]').forEach(function (box) {
      box.checked = members.indexOf(box.value) !== -1;
    });
    var filter = document.getElementById("yj-people-filter");
    if (filter) applyFilter(filter);
  }

  // One role per person: picking a role on a row clears the row's other roles.
  function oneRolePerRow(input) {
    if (!input.checked) return;
    var row = input.closest("[data-yj-text]");
    if (!row) return;
    row.querySelectorAll("input").forEach(function (other) {
      if (other !== input) other.checked = false;
    });
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (box.matches && box.matches("input[data-yj-filter]")) applyFilter(box);
  });

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.closest("#yj-activate-form")) return;
    if (input.name === "version") applyProposal(input);
    else if (["leader", "deputies", "members"].indexOf(input.name) !== -1) oneRolePerRow(input);
  });

  // With JavaScript the filter needs no round trip: its form only filters in place.
  document.addEventListener("submit", function (event) {
    if (event.target.id !== "yj-activate-filter-form") return;
    event.preventDefault();
    var box = document.getElementById("yj-people-filter");
    if (box) applyFilter(box);
  });
})();
