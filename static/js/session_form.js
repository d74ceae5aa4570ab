/* The "log a session" form, made quicker with JavaScript; everything here also works without it
   (plain select, submit buttons that redraw the form). Loaded as a file: no inline script (CSP). */
(function () {
  "use strict";

  var form = document.getElementById("session-form");
  if (!form) { return; }

  function fold(text) {
    // Case- and accent-insensitive matching ("equipe" finds "Équipe"); Arabic is left as typed.
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  /* ---------------------------------------------------------------- project search */
  var select = form.querySelector("[data-project-picker] select");
  var searchWrap = form.querySelector("[data-project-search]");
  var search = searchWrap && searchWrap.querySelector("input");
  var status = searchWrap && searchWrap.querySelector("[data-project-search-status]");

  // The full list, kept aside: hiding <option>s does not work everywhere (iOS), so the select is rebuilt.
  var groups = [];
  var blank = null;
  if (select) {
    Array.prototype.forEach.call(select.children, function (child) {
      if (child.tagName === "OPTGROUP") {
        groups.push({
          label: child.label,
          options: Array.prototype.map.call(child.children, function (o) {
            return { value: o.value, text: o.textContent, key: fold(o.textContent + " " + child.label) };
          })
        });
      } else if (child.value === "") {
        blank = child.cloneNode(true);
      }
    });
  }

  function filterProjects() {
    var words = fold(search.value).split(/\s+/).filter(Boolean);
    var current = select.value;
    var matches = 0;
    var lastMatch = null;
    while (select.firstChild) { select.removeChild(select.firstChild); }
    if (blank) { select.appendChild(blank.cloneNode(true)); }
    groups.forEach(function (group) {
      var kept = group.options.filter(function (o) {
        return o.value === current || words.every(function (w) { return o.key.indexOf(w) !== -1; });
      });
      if (!kept.length) { return; }
      var optgroup = document.createElement("optgroup");
      optgroup.label = group.label;
      kept.forEach(function (o) {
        var option = document.createElement("option");
        option.value = o.value;
        option.textContent = o.text;
        optgroup.appendChild(option);
        if (o.value !== current) { matches += 1; lastMatch = o.value; }
      });
      select.appendChild(optgroup);
    });
    select.value = current;
    if (words.length && matches === 1 && !current) {
      select.value = lastMatch;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
    status.textContent = words.length && matches === 0 && !current ? status.getAttribute("data-none") : "";
  }

  if (select && search) {
    searchWrap.hidden = false;
    search.addEventListener("input", filterProjects);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
  }

  /* ---------------------------------------------------------------- milestones of the chosen project */
  var template = document.getElementById("action-item-template");

  function milestoneSelects() {
    var selects = Array.prototype.slice.call(form.querySelectorAll("[data-milestone-select]"));
    if (template) {
      selects = selects.concat(Array.prototype.slice.call(template.content.querySelectorAll("[data-milestone-select]")));
    }
    return selects;
  }

  function setMilestones(milestones) {
    milestoneSelects().forEach(function (sel) {
      var chosen = sel.value;
      var first = sel.options.length ? sel.options[0].cloneNode(true) : null;
      while (sel.firstChild) { sel.removeChild(sel.firstChild); }
      if (first) { first.selected = false; sel.appendChild(first); }
      milestones.forEach(function (m) {
        var option = document.createElement("option");
        option.value = String(m.id);
        option.textContent = m.title;
        sel.appendChild(option);
      });
      sel.value = milestones.some(function (m) { return String(m.id) === chosen; }) ? chosen : "";
    });
  }

  if (select && window.fetch) {
    select.addEventListener("change", function () {
      if (!select.value) { setMilestones([]); return; }
      var url = select.getAttribute("data-milestones-url") + "?project=" + encodeURIComponent(select.value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { milestones: [] }; })
        .then(function (data) { setMilestones(data.milestones || []); })
        .catch(function () { setMilestones([]); });
    });
  }

  /* ---------------------------------------------------------------- action item rows */
  var list = form.querySelector("[data-items]");

  function syncOwner(row) {
    var kind = row.querySelector("[data-owner-kind]");
    var user = row.querySelector("[data-owner-user]");
    if (kind && user) { user.hidden = kind.value !== "staff"; }
  }

  function nextIndex() {
    var max = -1;
    Array.prototype.forEach.call(list.querySelectorAll("[data-item-row]"), function (row) {
      var n = parseInt(row.getAttribute("data-index"), 10);
      if (!isNaN(n) && n > max) { max = n; }
    });
    return max + 1;
  }

  function addRow() {
    var index = String(nextIndex());
    var fragment = template.content.cloneNode(true);
    var attributes = ["id", "name", "for", "value", "aria-describedby", "data-index"];
    Array.prototype.forEach.call(fragment.querySelectorAll("*"), function (el) {
      attributes.forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value && value.indexOf("__INDEX__") !== -1) { el.setAttribute(attr, value.split("__INDEX__").join(index)); }
      });
    });
    var row = fragment.querySelector("[data-item-row]");
    list.appendChild(fragment);
    syncOwner(row);
    var first = row.querySelector("input:not([type=hidden]), textarea, select");
    if (first) { first.focus(); }
  }

  if (list && template) {
    Array.prototype.forEach.call(list.querySelectorAll("[data-item-row]"), syncOwner);
    list.addEventListener("change", function (event) {
      if (event.target.hasAttribute("data-owner-kind")) { syncOwner(event.target.closest("[data-item-row]")); }
    });
    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-item]");
      if (!button) { return; }
      event.preventDefault();
      var row = button.closest("[data-item-row]");
      var following = row.nextElementSibling || row.previousElementSibling;
      row.parentNode.removeChild(row);
      var focusTarget = following ? following.querySelector("input:not([type=hidden]), textarea, select")
        : form.querySelector("[data-add-item]");
      if (focusTarget) { focusTarget.focus(); }
    });
    var addButton = form.querySelector("[data-add-item]");
    if (addButton) {
      addButton.addEventListener("click", function (event) {
        event.preventDefault();
        addRow();
      });
    }
  }
})();
