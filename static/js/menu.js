// Progressive enhancement: on a phone, fold the navigation behind a "Menu" button.
// Without JavaScript the button stays hidden and the whole navigation is always shown;
// head.js has already set .has-menu, so the menu is folded before the first paint.
(function () {
  "use strict";
  var button = document.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (!button || !menu) { return; }
  document.documentElement.classList.add("has-menu");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  });
})();
