/* The situation board (reports/board.html). A poll that finds nothing changed is answered 204 and the
   live region is not redrawn, so how long each open incident has been open moves here, in the browser:
   [data-yj-since] holds the first report's time (seconds since 1970) and shows H:MM since then, counted
   from the server's clock at the last answer (#yj-board-version's data-yj-now). */
(function () {
  "use strict";

  var offset = 0; // server time minus browser time, in seconds

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function read() {
    var mark = document.getElementById("yj-board-version");
    var serverNow = mark ? parseInt(mark.getAttribute("data-yj-now"), 10) : NaN;
    offset = isNaN(serverNow) ? 0 : serverNow - Math.floor(Date.now() / 1000);
  }

  function tick() {
    var now = Math.floor(Date.now() / 1000) + offset;
    document.querySelectorAll("[data-yj-since]").forEach(function (el) {
      var since = parseInt(el.getAttribute("data-yj-since"), 10);
      if (isNaN(since)) return;
      var minutes = Math.max(0, Math.floor((now - since) / 60));
      el.textContent = Math.floor(minutes / 60) + ":" + pad(minutes % 60);
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "yj-board") {
      read();
      tick();
    }
  });
  // A board kept from an earlier drawing shows the times of then: brought to now at once.
  read();
  tick();
  window.setInterval(tick, 30000);
})();
