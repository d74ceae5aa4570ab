/* Project and user pickers: a <select data-picker="URL"> becomes a Tom Select (static/vendor/tom-select)
   whose options come from the server as the person types, 20 at a time (more on scrolling), by name or
   number. The keyboard works as in a select: type, arrows, Enter, Backspace removes a choice.
   Without JavaScript the plain select stays, with the options the page gave it. */
(function () {
  "use strict";
  if (typeof TomSelect === "undefined") { return; }

  function pageUrl(base, query, page) {
    return base + (base.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query) + "&page=" + page;
  }

  // A late answer (the person typed on, or chose since it was asked, e.g. the list asked for on entering the
  // field) or a failed one must not open the list again over the form. Tom Select's callback opens it while
  // the control has focus, and closing it after is too late: opening focuses the control, whose deferred focus
  // handler opens the list once more. An open list is refreshed as usual.
  function keepClosed(picker, answer) {
    if (picker.isOpen) { answer(); return; }
    var open = picker.open;
    picker.open = function () {};
    try { answer(); } finally { picker.open = open; }
  }

  function init(select) {
    var base = select.getAttribute("data-picker");
    var shown = {};  // the options the server gave for each text, all pages so far
    var choices = 0;  // how many times the person chose: an answer asked for before the last choice is late
    var settings = {
      valueField: "value",
      labelField: "text",
      searchField: [],
      maxOptions: null,
      preload: "focus",
      loadThrottle: 250,
      closeAfterSelect: !select.multiple,
      // Keep "— choose —" chosen until the person picks: never preselect the first project.
      allowEmptyOption: !select.multiple,
      placeholder: select.getAttribute("data-picker-placeholder"),
      plugins: select.multiple ? ["remove_button", "virtual_scroll"] : ["virtual_scroll"],
      // The server already filtered: keep every result it sent, in its order.
      score: function () { return function () { return 1; }; },
      firstUrl: function (query) { return pageUrl(base, query, 1); },
      onItemAdd: function () { choices += 1; },
      load: function (query, callback) {
        var self = this;
        var url = self.getUrl(query);
        var choicesAsked = choices;
        fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [], more: false }; })
          .then(function (json) {
            var typedOn = self.inputValue() !== query;
            if (!typedOn) {
              var page = Number(new URL(url, window.location.href).searchParams.get("page"));
              shown[query] = (page > 1 && shown[query] || []).concat(json.results);
              if (json.more) { self.setNextUrl(query, pageUrl(base, query, page + 1)); }
            }
            // An answer to another text than the one typed now (the person typed on) must leave the list as it
            // is: Tom Select replaces the options by those it is given, so it gets again those of the text now.
            var results = typedOn ? shown[self.inputValue()] : json.results;
            if (typedOn || choices !== choicesAsked) {
              keepClosed(self, function () { callback(results); });
            } else {
              callback(results);
            }
          })
          .catch(function () { keepClosed(self, function () { callback(); }); });
      },
      render: {
        option: function (data, escape) {
          var group = data.group ? '<div class="small text-body-secondary">' + escape(data.group) + "</div>" : "";
          return "<div><bdi>" + escape(data.text) + "</bdi>" + group + "</div>";
        },
        item: function (data, escape) { return "<div><bdi>" + escape(data.text) + "</bdi></div>"; },
        no_results: function () {
          return '<div class="no-results">' + select.getAttribute("data-picker-empty") + "</div>";
        },
        loading_more: function () {
          return '<div class="loading-more-results py-2 d-flex align-items-center"><div class="spinner"></div> '
            + select.getAttribute("data-picker-more") + "</div>";
        }
      }
    };
    var picker = new TomSelect(select, settings);
    // The page's own options ("all", "the whole programme", the current choice) come first, in the page's order:
    // the list is sorted by insertion order, and the server's answers would otherwise number theirs from 1 too.
    Object.keys(picker.options).forEach(function (value) { picker.options[value].$order -= 1000000; });
    // Tom Select moves the <label for> to its typing box; the hidden original keeps its name through it.
    var label = document.getElementById(select.id + "-ts-label");
    if (label) { select.setAttribute("aria-labelledby", label.id); }
    return picker;
  }

  document.querySelectorAll("select[data-picker]").forEach(init);
})();
