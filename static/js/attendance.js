/* Attendance sheet (templates/trainings/attendance_form.html). The page works without this script:
   the server records every member of a project present when its "all present" box is ticked. Here we
   only show it: ticking the box selects "present" for the project's members, marking one of them
   absent unticks the box (so what is sent matches what is seen), and a member who gets a mark loses
   the "not recorded" badge. No inline handlers: the Content-Security-Policy forbids them. */
(function () {
  "use strict";

  function markRecorded(radio) {
    var row = radio.closest("[data-attendance-member]");
    var badge = row && row.querySelector("[data-unrecorded]");
    if (badge) {
      badge.hidden = true;
    }
  }

  function init(section) {
    var all = section.querySelector("input[data-all-present]");
    if (all) {
      all.addEventListener("change", function () {
        if (!all.checked) {
          return;
        }
        section.querySelectorAll('input[type="radio"][value="present"]').forEach(function (radio) {
          radio.checked = true;
          markRecorded(radio);
        });
      });
    }
    section.addEventListener("change", function (event) {
      var target = event.target;
      if (target.type !== "radio" || !target.checked) {
        return;
      }
      markRecorded(target);
      if (all && target.value === "absent") {
        all.checked = false;
      }
    });
  }

  document.querySelectorAll("[data-attendance-project]").forEach(init);

  /* The counts of the save bar, kept up to date as marks change (the server counts again on saving). */
  function recount() {
    var counts = { present: 0, absent: 0, unrecorded: 0 };
    document.querySelectorAll("[data-attendance-member]").forEach(function (row) {
      var checked = row.querySelector('input[type="radio"]:checked');
      counts[checked ? checked.value : "unrecorded"] += 1;
    });
    Object.keys(counts).forEach(function (key) {
      var out = document.querySelector('[data-count="' + key + '"]');
      if (out) { out.textContent = String(counts[key]); }
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest("[data-attendance-project]")) { recount(); }
  });

  /* The name filter: rows whose name (or project) does not hold what is typed are hidden; accents and
     case are ignored. Hidden rows keep their marks, and the form still sends them. */
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }
  var filter = document.querySelector("[data-attendance-filter]");
  if (filter) {
    var empty = document.querySelector("[data-filter-empty]");
    filter.addEventListener("input", function () {
      var wanted = fold(filter.value);
      var shown = 0;
      document.querySelectorAll("[data-attendance-project]").forEach(function (section) {
        var projectMatches = wanted !== "" && fold(section.getAttribute("data-name")).indexOf(wanted) !== -1;
        var visible = 0;
        section.querySelectorAll("[data-attendance-member]").forEach(function (row) {
          var match = wanted === "" || projectMatches || fold(row.getAttribute("data-name")).indexOf(wanted) !== -1;
          row.classList.toggle("d-none", !match);
          if (match) { visible += 1; }
        });
        section.hidden = visible === 0 && !projectMatches && wanted !== "";
        shown += visible;
      });
      if (empty) { empty.hidden = shown > 0 || wanted === ""; }
    });
  }
})();
