// Progressive touches for Xiaobao's pages; every page works without them.
"use strict";
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  var msg = form.getAttribute("data-confirm");
  // data-confirm-if-unchecked names a checkbox: ask only when it is being turned off
  var only = form.getAttribute("data-confirm-if-unchecked");
  if (only && form.elements[only] && form.elements[only].checked) { return; }
  if (msg && !window.confirm(msg)) { ev.preventDefault(); return; }
  // a field with data-confirmed-value carries the agreement to the server (which otherwise asks itself)
  if (msg) {
    var agreed = form.querySelectorAll("input[data-confirmed-value]");
    for (var i = 0; i < agreed.length; i++) { agreed[i].value = agreed[i].getAttribute("data-confirmed-value"); }
  }
});
(function () {
  var warn = document.getElementById("watchlist-warning");
  if (!warn) { return; }
  function check(param, value) {
    if (!value || value.length < 6) { return; }
    fetch("/api/v1/complainants/watchlist-check?" + param + "=" + encodeURIComponent(value), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (s && s.watchlist) {
          var n = warn.querySelector(".count");
          if (n) { n.textContent = String(s.complaints); }
          warn.hidden = false;
        }
      })
      .catch(function () {});
  }
  ["phone", "id_number"].forEach(function (id) {
    var input = document.getElementById(id);
    if (input) { input.addEventListener("change", function () { check(id, input.value.trim()); }); }
  });
})();
// a live count of what is typed in a text box with a limit: "123 / 4000", marked when over
(function () {
  var boxes = document.querySelectorAll("textarea[data-counter]");
  Array.prototype.forEach.call(boxes, function (box) {
    var max = parseInt(box.getAttribute("data-max") || box.getAttribute("maxlength") || "0", 10);
    if (!max) { return; }
    var out = document.createElement("span");
    out.className = "counter";
    out.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", out);
    function show() {
      var n = Array.from(box.value).length;
      out.textContent = n + " / " + max;
      out.classList.toggle("over", n > max);
    }
    box.addEventListener("input", show);
    show();
  });
})();
// a copy button beside a box of text (a new token's secret): shown only where this script runs; it
// selects the box's text, and copies it where the browser allows (without it, the text stays selected)
(function () {
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var box = document.getElementById(button.getAttribute("data-copy"));
    if (!box) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var range = document.createRange();
      range.selectNodeContents(box);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      function copied() { button.textContent = button.getAttribute("data-copied") || button.textContent; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(box.textContent.trim()).then(copied, function () {});
      } else {
        try { if (document.execCommand("copy")) { copied(); } } catch (e) {}
      }
    });
  });
})();
// a print button (the content policy lets no script sit in the page itself)
document.addEventListener("click", function (ev) {
  var b = ev.target.closest && ev.target.closest("button[data-print]");
  if (b) { window.print(); }
});
