// Progressive enhancement: a "Copy link" button beside the petition's address.
// Without JavaScript (or clipboard access) the address stays a plain link to copy by hand.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) { return; }
  document.querySelectorAll(".copy-link").forEach(function (button) {
    var status = button.parentNode.querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        if (status) { status.textContent = button.getAttribute("data-copied") || "Link copied."; }
      }, function () {
        if (status) { status.textContent = button.getAttribute("data-copy-failed") || "Couldn't copy: select the link above instead."; }
      });
    });
  });
})();
