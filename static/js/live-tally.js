// Progressive enhancement: refresh a petition's tally while the page is open.
// Every figure the page shows from the count (the count, its plural, % of the goal, the
// progress bar, % of headcount) changes together, so none is left stale.
// Without JavaScript the page shows the figures as of loading, and a reload updates them.
(function () {
  "use strict";
  var box = document.querySelector("[data-tally-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-tally-url");
  var count = box.querySelector("#signature-count strong");
  var word = box.querySelector("#signature-word");
  var goal = box.querySelector("#goal-percent");
  var share = box.querySelector("#headcount-percent");
  var bar = box.querySelector("progress");
  // The page's language, not the browser's: a German page says "12,8%" even in an English browser.
  var language = document.documentElement.lang || undefined;
  var whole = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
  var tenth = new Intl.NumberFormat(language, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var REFRESH_MS = 20000;

  function set(element, text) {
    if (element && element.textContent !== text) { element.textContent = text; }
  }

  function refresh() {
    if (document.hidden) { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (tally) {
        if (!tally) { return; }
        set(count, whole.format(tally.count));
        set(word, tally.count === 1 ? box.getAttribute("data-word-one") || "signature"
          : box.getAttribute("data-word-other") || "signatures");
        set(goal, whole.format(Math.floor(tally.goal_percent)) + "%");
        if (tally.headcount_percent !== null) { set(share, tenth.format(tally.headcount_percent) + "%"); }
        if (bar) { bar.value = tally.goal_percent; bar.textContent = whole.format(Math.floor(tally.goal_percent)) + "%"; }
      })
      .catch(function () { /* offline or signed out: keep the last figures */ });
  }
  window.setInterval(refresh, Number(box.getAttribute("data-refresh-ms")) || REFRESH_MS);
})();
