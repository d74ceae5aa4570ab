/* Milestone pages, made quicker on a phone. Everything also works without JavaScript: the server checks
   the same rules. Loaded as a file: no inline script or handler (CSP). */
(function () {
  "use strict";

  /* ---------------------------------------------------------------- milestone form
     The achieved date only matters for an achieved milestone (the server clears it otherwise): show it
     then, and fill in today when it is empty. */
  var form = document.getElementById("milestone-form");
  if (form) {
    var dateInput = form.querySelector("[data-achieved-date]");
    var dateBlock = dateInput && dateInput.closest(".mb-3");
    var radios = form.querySelectorAll("input[name='status']");

    var sync = function () {
      var checked = form.querySelector("input[name='status']:checked");
      var achieved = checked && checked.value === "achieved";
      if (!dateBlock) { return; }
      dateBlock.hidden = !achieved && !dateInput.classList.contains("is-invalid");
      if (achieved && !dateInput.value && dateInput.max) {
        dateInput.value = dateInput.max; // today, as set by the server
      }
    };
    Array.prototype.forEach.call(radios, function (radio) { radio.addEventListener("change", sync); });
    sync();
  }

  /* ---------------------------------------------------------------- evidence upload
     Says at once which chosen file would be refused for its size or type, before minutes of upload on a
     slow connection; the server decides in the end (it checks the content, not just the name). */
  var upload = document.getElementById("evidence-form");
  if (upload) {
    var input = upload.querySelector("input[type='file']");
    var status = upload.querySelector("[data-file-status]");
    var maxBytes = parseInt(upload.getAttribute("data-max-bytes"), 10) || 0;
    var accepted = (input.getAttribute("accept") || "").toLowerCase().split(",");

    input.addEventListener("change", function () {
      var problems = [];
      Array.prototype.forEach.call(input.files || [], function (file) {
        var dot = file.name.lastIndexOf(".");
        var ext = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
        if (accepted.indexOf(ext) < 0) {
          problems.push(upload.getAttribute("data-bad-type").replace("__NAME__", file.name));
        } else if (maxBytes && file.size > maxBytes) {
          problems.push(upload.getAttribute("data-too-large").replace("__NAME__", file.name));
        }
      });
      status.textContent = problems.join(" ");
      status.classList.toggle("text-danger", problems.length > 0);
    });
  }
})();
