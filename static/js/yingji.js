/* Yingji's own small behaviours. No inline scripts (the CSP forbids them): pages mark elements with
   data-yj-* attributes and this file, loaded by base.html, wires them up. */
(function () {
  "use strict";

  /* <input data-yj-filter="id_of_select">: typing narrows the <select>'s options (and their
     <optgroup>s) to those whose text or group contains what was typed. Options are rebuilt rather
     than hidden, because phone browsers ignore `hidden` on <option>. */
  function filterableSelect(input) {
    var select = document.getElementById(input.getAttribute("data-yj-filter"));
    if (!select) return;
    var placeholder = null;
    var groups = [];
    Array.prototype.forEach.call(select.children, function (child) {
      if (child.tagName === "OPTGROUP") {
        groups.push({
          label: child.label,
          options: Array.prototype.map.call(child.children, function (o) {
            return { value: o.value, text: o.text };
          }),
        });
      } else if (child.tagName === "OPTION" && child.value === "") {
        placeholder = { value: "", text: child.text };
      } else if (child.tagName === "OPTION") {
        groups.push({ label: null, options: [{ value: child.value, text: child.text }] });
      }
    });

    function option(o, selected) {
      var el = document.createElement("option");
      el.value = o.value;
      el.text = o.text;
      el.selected = o.value === selected;
      return el;
    }

    function apply() {
      var query = input.value.trim().toLowerCase();
      var before = select.value;
      var matches = [];
      var fragment = document.createDocumentFragment();
      groups.forEach(function (g) {
        var groupHit = g.label && g.label.toLowerCase().indexOf(query) !== -1;
        var shown = g.options.filter(function (o) {
          return !query || groupHit || o.text.toLowerCase().indexOf(query) !== -1;
        });
        matches = matches.concat(shown);
        if (!shown.length) return;
        var parent = fragment;
        if (g.label) {
          parent = document.createElement("optgroup");
          parent.label = g.label;
          fragment.appendChild(parent);
        }
        shown.forEach(function (o) {
          parent.appendChild(option(o, before));
        });
      });
      var selected = before;
      if (query && matches.length === 1) selected = matches[0].value;
      else if (!matches.some(function (o) { return o.value === before; })) selected = "";
      select.replaceChildren();
      if (placeholder) select.appendChild(option(placeholder, selected));
      select.appendChild(fragment);
      select.value = selected;
      select.classList.toggle("yj-no-match", query !== "" && matches.length === 0);
      if (selected !== before) select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    input.addEventListener("input", apply);
  }

  /* <form data-yj-once>: after the first submit its buttons are disabled, so a double tap sends one
     request (the idempotency key covers a browser retry anyway). */
  function submitOnce(form) {
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) {
          b.disabled = true;
        });
      }, 0);
    });
  }

  /* A live region ([data-yj-live]) is not refreshed while someone types in a field inside it. */
  document.addEventListener("htmx:beforeRequest", function (event) {
    var live = event.target.closest && event.target.closest("[data-yj-live]");
    var active = document.activeElement;
    if (live && active && live.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) {
      event.preventDefault();
    }
  });

  function init(root) {
    root.querySelectorAll("input[data-yj-filter]").forEach(filterableSelect);
    root.querySelectorAll("form[data-yj-once]").forEach(submitOnce);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
