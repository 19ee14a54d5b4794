// Progressive enhancement: refresh a petition's tally while the page is open.
// Without JavaScript the page shows the count as of loading, and a reload updates it.
(function () {
  "use strict";
  var box = document.querySelector("[data-tally-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-tally-url");
  var count = box.querySelector("#signature-count strong");
  var bar = box.querySelector("progress");
  var format = new Intl.NumberFormat();
  var REFRESH_MS = 20000;

  function refresh() {
    if (document.hidden) { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (tally) {
        if (!tally) { return; }
        var shown = format.format(tally.count);
        if (count && count.textContent !== shown) { count.textContent = shown; }
        if (bar) { bar.value = tally.goal_percent; }
      })
      .catch(function () { /* offline or signed out: keep the last figures */ });
  }
  window.setInterval(refresh, REFRESH_MS);
})();
