// The page's theme: the reader's choice (kept in localStorage, which works from file:// too),
// else the system's (prefers-color-scheme). Loaded in <head>, so the page never flashes
// the other theme; the header's button switches it, and charts.js redraws the charts.
(function () {
  "use strict";
  var KEY = "reportgen-theme";
  var root = document.documentElement;
  var system = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var chosen = null; // this page's choice, should the browser refuse storage

  function stored() {
    try { return window.localStorage.getItem(KEY) || chosen; } catch (e) { return chosen; }
  }
  function current() {
    var theme = stored();
    if (theme === "dark" || theme === "light") return theme;
    return system && system.matches ? "dark" : "light";
  }
  function apply() {
    var theme = current();
    root.setAttribute("data-theme", theme);
    var button = document.querySelector(".theme-toggle");
    if (button) {
      button.setAttribute("aria-pressed", theme === "dark" ? "true" : "false");
      button.textContent = "Dark theme";
      button.title = theme === "dark" ? "Switch to the light theme" : "Switch to the dark theme";
    }
    document.dispatchEvent(new CustomEvent("reportgen-theme", { detail: theme }));
  }
  window.reportgenTheme = current;
  apply();
  if (system && system.addEventListener) system.addEventListener("change", apply);
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".theme-toggle");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      chosen = current() === "dark" ? "light" : "dark";
      try { window.localStorage.setItem(KEY, chosen); } catch (e) { /* kept for this page */ }
      apply();
    });
    apply();
  });
})();
