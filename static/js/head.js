// Runs in <head> before the first paint: tells the stylesheet JavaScript is on, so the
// phone menu is folded from the start instead of collapsing (and shifting the page) later.
document.documentElement.classList.add("has-menu");
