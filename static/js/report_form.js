/* The period report form: live total of the five cells of a disaggregated indicator.
   The server ignores any posted total and recomputes it from the cells; without JavaScript the total
   shown is the one computed when the page was drawn. Loaded as a file: no inline script (CSP). */
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

  /* Same reading rules as services.parse_decimal: null for blank, NaN when it cannot be read. */
  function parse(text) {
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
    return sign * parseFloat((whole || "0") + (fraction ? "." + fraction : ""));
  }

  function show(value) {
    if (value === null) { return "—"; }
    return formatter ? formatter.format(value) : String(Math.round(value * 100) / 100);
  }

  function update(group) {
    var output = document.getElementById(group.getAttribute("data-total"));
    if (!output) { return; }
    var total = 0;
    var any = false;
    var unreadable = false;
    Array.prototype.forEach.call(group.querySelectorAll("input[data-cell]"), function (input) {
      var value = parse(input.value);
      if (value === null) { return; }
      if (isNaN(value)) { unreadable = true; return; }
      total += value;
      any = true;
    });
    output.textContent = unreadable ? "?" : show(any ? total : null);
  }

  form.addEventListener("input", function (event) {
    var group = event.target.closest ? event.target.closest("[data-cells]") : null;
    if (group) { update(group); }
  });
})();
