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
})();
