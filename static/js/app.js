// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Buttons that print the page (no inline handlers: Content-Security-Policy).
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof Element && target.closest("[data-print]")) {
      window.print();
    }
  });

  // The menus of the areas of work are <details>: they open without a script; this closes an
  // open one on a click elsewhere or on Escape, as a menu does.
  function closeMenus(except) {
    document.querySelectorAll(".site-nav details[open]").forEach(function (menu) {
      if (menu !== except) {
        menu.removeAttribute("open");
      }
    });
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element) || target.closest(".nav-toggle")) {
      return;
    }
    closeMenus(target.closest(".site-nav details"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.querySelector(".site-nav details[open]");
    if (open) {
      closeMenus(null);
      open.querySelector("summary").focus();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var header = document.querySelector(".site-header");
    var toggle = document.querySelector(".nav-toggle");
    if (!header || !toggle) {
      return;
    }
    toggle.addEventListener("click", function () {
      var open = header.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      // On a phone the menu opens at the area of the page shown.
      var current = header.querySelector(".nav-group.current details");
      if (open && current) {
        current.setAttribute("open", "");
      }
    });
  });
})();
