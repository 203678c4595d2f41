/* symconv explorer: linked highlighting over data attributes (no network, no libraries).
   Activators carry data-act; data-k / data-i / data-o hold flat weight / input / output
   indices (space-separated when several).  Pointing at (hover) or focusing an activator
   adds the class sc-hl to every element it reaches. */
(function () {
  "use strict";
  function words(v) { return v ? v.split(" ") : []; }
  function bind(root) {
    if (root.getAttribute("data-bound") === "1") { return; }
    root.setAttribute("data-bound", "1");
    var info = root.querySelector(".sc-info");
    var lit = [];
    var active = null;
    function mark(sel) {
      var els = root.querySelectorAll(sel);
      for (var n = 0; n < els.length; n++) { els[n].classList.add("sc-hl"); lit.push(els[n]); }
    }
    function clear() {
      for (var n = 0; n < lit.length; n++) { lit[n].classList.remove("sc-hl"); }
      lit = [];
      if (active) { active.classList.remove("sc-active"); }
      active = null;
      root.classList.remove("sc-dim");
      if (info) { info.textContent = info.getAttribute("data-idle"); }
    }
    function activate(el) {
      if (el === active) { return; }
      clear();
      var role = el.getAttribute("data-role");
      var o = el.getAttribute("data-o"), i = el.getAttribute("data-i");
      var ks = words(el.getAttribute("data-k"));
      if (role === "w") {
        mark('[data-k~="' + ks[0] + '"]');
      } else if (role === "x") {
        mark('[data-i~="' + i + '"]');
      } else if (role === "y") {
        mark('[data-o~="' + o + '"]');
        words(el.getAttribute("data-rf")).forEach(function (r) {
          mark('[data-role="x"][data-i="' + r + '"]');
        });
      } else if (role === "t") {
        var at = '[data-o="' + o + '"][data-i="' + i + '"]';
        mark('[data-role="t"]' + at + ', [data-role="e"]' + at + ', [data-role="term"]' + at +
             ', [data-role="g"]' + at);
        mark('[data-role="x"][data-i="' + i + '"], [data-role="y"][data-o="' + o + '"]');
        ks.forEach(function (k) { mark('[data-role="w"][data-k="' + k + '"]'); });
      }
      active = el;
      el.classList.add("sc-active");
      root.classList.add("sc-dim");
      if (info) { info.textContent = el.getAttribute("aria-label") || ""; }
    }
    function target(ev) {
      var el = ev.target && ev.target.closest ? ev.target.closest("[data-act]") : null;
      return el && root.contains(el) ? el : null;
    }
    root.addEventListener("mouseover", function (ev) {
      var el = target(ev);
      if (el) { activate(el); }
    });
    root.addEventListener("mouseout", function (ev) {
      var to = ev.relatedTarget && ev.relatedTarget.closest ?
        ev.relatedTarget.closest("[data-act]") : null;
      if (!to && active && active !== document.activeElement) {
        var focused = document.activeElement;  // back to what the keyboard selected, if any
        if (focused && root.contains(focused) && focused.hasAttribute("data-act")) {
          activate(focused);
        } else {
          clear();
        }
      }
    });
    root.addEventListener("focusin", function (ev) {
      var el = target(ev);
      if (el) { activate(el); }
    });
    root.addEventListener("focusout", function (ev) {
      if (!ev.relatedTarget || !root.contains(ev.relatedTarget)) { clear(); }
    });
    root.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") {
        clear();
        if (document.activeElement && root.contains(document.activeElement)) {
          document.activeElement.blur();
        }
      }
    });
    var pick = root.querySelector(".sc-pick");
    if (pick) {
      pick.addEventListener("change", function () {
        var hoods = root.querySelectorAll(".sc-hood");
        for (var n = 0; n < hoods.length; n++) {
          hoods[n].hidden = hoods[n].getAttribute("data-hood") !== pick.value;
        }
        clear();
      });
    }
    clear();
  }
  var roots = document.querySelectorAll(".symconv-explorer");
  for (var n = 0; n < roots.length; n++) { bind(roots[n]); }
})();
