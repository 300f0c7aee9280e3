/* The run page's clocks (drills/run.html). A poll that finds nothing new is answered 204 and the live
   region is not redrawn, so the running time and the scenario clock move here, in the browser, from what
   the region was drawn with: [data-yj-elapsed] has the running seconds at drawing time
   (data-yj-seconds) and ticks while the drill runs (data-yj-ticking); [data-yj-scenario-clock] is the
   scenario's start in minutes of the day (data-yj-start) plus the running time. Each redraw of the
   region starts them again from the server's figures. */
(function () {
  "use strict";

  var drawn = { seconds: 0, at: 0, ticking: false };

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  // +H:MM:SS, as models.elapsed_text writes it.
  function elapsedText(seconds) {
    return "+" + Math.floor(seconds / 3600) + ":" + pad(Math.floor((seconds % 3600) / 60)) + ":" + pad(seconds % 60);
  }

  function read() {
    var elapsed = document.querySelector("[data-yj-elapsed][data-yj-seconds]");
    if (!elapsed) return;
    drawn = {
      seconds: parseInt(elapsed.getAttribute("data-yj-seconds"), 10) || 0,
      at: Date.now(),
      ticking: elapsed.hasAttribute("data-yj-ticking"),
    };
  }

  function tick() {
    if (!drawn.ticking) return;
    var seconds = drawn.seconds + Math.floor((Date.now() - drawn.at) / 1000);
    var elapsed = document.querySelector("[data-yj-elapsed]");
    if (elapsed) elapsed.textContent = elapsedText(seconds);
    var clock = document.querySelector("[data-yj-scenario-clock][data-yj-start]");
    if (clock) {
      var minutes = (parseInt(clock.getAttribute("data-yj-start"), 10) + Math.floor(seconds / 60)) % 1440;
      clock.textContent = pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60);
    }
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "yj-live") read();
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", read);
  } else {
    read();
  }
  window.setInterval(tick, 1000);
})();
