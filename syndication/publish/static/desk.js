// The desk stays current: the server sends its panels again whenever something they show
// changed (Server-Sent Events); without JavaScript the page is simply as loaded.
(function () {
  "use strict";
  var panels = document.getElementById("desk-panels");
  var live = document.getElementById("desk-live");
  if (!panels || !window.EventSource) return;
  var source = new EventSource("/desk/events");
  source.addEventListener("desk", function (event) {
    panels.innerHTML = event.data;
    live.textContent = "Updated " + new Date().toLocaleTimeString() + ".";
  });
  source.onerror = function () {
    live.textContent = "Reconnecting…";
  };
})();
