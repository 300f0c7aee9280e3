// A refused complaint form: bring its first field in error into view and give it the focus. On a phone
// the field may be far below the message at the top; `autofocus` alone does not scroll inside a folded
// <details> or under the fixed navigation bar, so the folded section is opened and the field centred.
(function () {
  "use strict";
  function showFirstError() {
    var field = document.querySelector("form .is-invalid");
    if (!field) {
      return;
    }
    var folded = field.closest("details");
    if (folded && !folded.open) {
      folded.open = true;
    }
    var collapsed = field.closest(".collapse:not(.show)");
    if (collapsed) {
      collapsed.classList.add("show");
    }
    field.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showFirstError);
  } else {
    showFirstError();
  }
})();
