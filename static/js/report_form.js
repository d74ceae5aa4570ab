/* The period report form: live total of the five cells of a disaggregated indicator, and the plausibility
   hints of tracker/periods/validation.py shown or hidden as the holder types.
   The server ignores any posted total and recomputes it from the cells; without JavaScript the total
   shown is the one computed when the page was drawn. The hints only mirror the server: each carries the
   bound the server computed (data-above / data-below) and the server's words (data-message, with
   __VALUE__ where the typed total goes); the server checks again on every save. Loaded as a file: no
   inline script (CSP). */
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  if (!form) { return; }

  var lang = document.documentElement.lang || "fr";
  var formatter = null;
  if (window.Intl && Intl.NumberFormat) {
    try {
      // Latin digits everywhere, as the server prints them (Arabic pages included).
      formatter = new Intl.NumberFormat(lang + "-u-nu-latn", { maximumFractionDigits: 2 });
    } catch (e) {
      formatter = null;
    }
  }

  var DIGITS = "٠١٢٣٤٥٦٧٨٩";
  var PERSIAN = "۰۱۲۳۴۵۶۷۸۹";

  function normalise(text) {
    var out = "";
    for (var i = 0; i < text.length; i += 1) {
      var ch = text.charAt(i);
      var k = DIGITS.indexOf(ch);
      if (k === -1) { k = PERSIAN.indexOf(ch); }
      if (k !== -1) { out += String(k); continue; }
      if (ch === "\u066B") { out += "."; continue; }
      if (ch === "\u2212") { out += "-"; continue; }
      if (/[\s\u066C\u00A0\u202F\u2009\u200E\u200F\u061C]/.test(ch)) { continue; }
      out += ch;
    }
    return out;
  }

  function grouped(text, sep) {
    var re = sep === "," ? /^\d{1,3}(,\d{3})+$/ : /^\d{1,3}(\.\d{3})+$/;
    return re.test(text);
  }

  var lastFraction = "";  // the decimals of the number parse() read last ("1,500" has three: refused)

  /* Same reading rules as services.parse_decimal: null for blank, NaN when it cannot be read. */
  function parse(text) {
    lastFraction = "";
    var raw = normalise(text || "");
    if (raw === "") { return null; }
    var sign = 1;
    if (raw.charAt(0) === "-" || raw.charAt(0) === "+") {
      if (raw.charAt(0) === "-") { sign = -1; }
      raw = raw.slice(1);
    }
    if (!/^(\d[\d.,]*|[.,]\d+)$/.test(raw)) { return NaN; }
    var commas = (raw.match(/,/g) || []).length;
    var dots = (raw.match(/\./g) || []).length;
    var whole = raw;
    var fraction = "";
    if (commas && dots) {
      var dec = raw.lastIndexOf(",") > raw.lastIndexOf(".") ? "," : ".";
      var group = dec === "," ? "." : ",";
      var at = raw.lastIndexOf(dec);
      whole = raw.slice(0, at);
      fraction = raw.slice(at + 1);
      if (whole.indexOf(dec) !== -1 || !grouped(whole, group)) { return NaN; }
      whole = whole.split(group).join("");
    } else if (commas > 1 || dots > 1) {
      var sep = commas ? "," : ".";
      if (!grouped(raw, sep)) { return NaN; }
      whole = raw.split(sep).join("");
    } else if (commas || dots) {
      var parts = raw.split(commas ? "," : ".");
      whole = parts[0];
      fraction = parts[1];
    }
    if (!/^\d*$/.test(fraction)) { return NaN; }
    lastFraction = fraction || "";
    return sign * parseFloat((whole || "0") + (fraction ? "." + fraction : ""));
  }

  function show(value) {
    if (value === null) { return "—"; }
    return formatter ? formatter.format(value) : String(Math.round(value * 100) / 100);
  }

  /* The rules of services.value_error the browser can check: a value they refuse is not counted. */
  function acceptable(input, value) {
    var unit = input.getAttribute("data-unit");
    if (Math.abs(value) >= 1e16) { return false; }
    if (value < 0 && !input.hasAttribute("data-negative")) { return false; }
    if (unit === "percent" && value > 100) { return false; }
    if (unit === "count" && Math.floor(value) !== value) { return false; }
    if (lastFraction.length > 2) { return false; }
    return true;
  }

  /* The indicator's total as typed: null when blank, NaN when a cell cannot be read or is refused. */
  function total(fieldset) {
    var sum = 0;
    var any = false;
    var unreadable = false;
    Array.prototype.forEach.call(fieldset.querySelectorAll("input[data-cell]"), function (input) {
      var value = parse(input.value);
      if (value === null) { return; }
      if (isNaN(value) || !acceptable(input, value)) { unreadable = true; return; }
      sum += value;
      any = true;
    });
    if (unreadable) { return NaN; }
    return any ? sum : null;
  }

  function update(group, value) {
    var output = document.getElementById(group.getAttribute("data-total"));
    if (!output) { return; }
    // Never a number for input that is wrong: the words of the server ("to check") instead.
    output.textContent = (value !== null && isNaN(value)) ? (output.getAttribute("data-invalid") || "?") : show(value);
  }

  function hint(fieldset, value) {
    if (value !== null && isNaN(value)) { return; } // unreadable: the server will say so on saving
    Array.prototype.forEach.call(fieldset.querySelectorAll("[data-limit]"), function (box) {
      var above = box.getAttribute("data-above");
      var below = box.getAttribute("data-below");
      var broken = value !== null && ((above !== null && value > parseFloat(above)) ||
                                      (below !== null && value < parseFloat(below)));
      var text = box.querySelector("[data-limit-text]");
      if (broken && text) {
        text.textContent = box.getAttribute("data-message").split("__VALUE__").join(show(value));
      }
      box.hidden = !broken;
    });
  }

  form.addEventListener("input", function (event) {
    var fieldset = event.target.closest ? event.target.closest("[data-indicator]") : null;
    if (!fieldset || !event.target.hasAttribute("data-cell")) { return; }
    var value = total(fieldset);
    var group = fieldset.querySelector("[data-cells]");
    if (group) { update(group, value); }
    hint(fieldset, value);
  });

  /* The error summary takes the focus, so a screen reader reads it and a keyboard reaches its links. */
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  /* "Submit" asks first and says what happens next; the dialog's own button submits. Without <dialog>
     support (or without this script) the button submits at once, as before. */
  Array.prototype.forEach.call(form.querySelectorAll("button[data-confirm]"), function (button) {
    var dialog = document.getElementById(button.getAttribute("data-confirm"));
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      dialog.showModal();
      var confirm = dialog.querySelector("[data-confirmed]");
      if (confirm) { confirm.focus(); }
    });
    Array.prototype.forEach.call(dialog.querySelectorAll("[data-close]"), function (close) {
      close.addEventListener("click", function () { dialog.close(); button.focus(); });
    });
  });
})();
