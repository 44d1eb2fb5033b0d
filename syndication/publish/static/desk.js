// The desk stays current: the server sends its panels again whenever something they show
// changed (Server-Sent Events); without JavaScript the page is simply as loaded.
(function () {
  "use strict";
  var panels = document.getElementById("desk-panels");
  var live = document.getElementById("desk-live");
  if (!panels || !window.EventSource) return;
  // The time in the zone the desk states its times in, not the browser's own.
  var clock = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: live.dataset.timezone
  });
  var source = new EventSource("/desk/events");
  source.addEventListener("desk", function (event) {
    panels.innerHTML = event.data;
    live.textContent = "Updated " + clock.format(new Date()) + ".";
  });
  source.onerror = function () {
    live.textContent = "Reconnecting…";
  };
})();
