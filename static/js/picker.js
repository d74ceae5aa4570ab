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

  function init(select) {
    var base = select.getAttribute("data-picker");
    var pages = {};
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
      load: function (query, callback) {
        var self = this;
        var url = self.getUrl(query);
        fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [], more: false }; })
          .then(function (json) {
            // An answer to an earlier text (the person typed on, or already chose) must not reopen the list:
            // Tom Select's callback refreshes the options, which opens the list while the control has focus.
            if (self.inputValue() !== query) {
              var wasOpen = self.isOpen;
              callback();
              if (!wasOpen) { self.close(); }
              return;
            }
            pages[query] = (pages[query] || 1) + 1;
            if (json.more) { self.setNextUrl(query, pageUrl(base, query, pages[query])); }
            callback(json.results);
          })
          .catch(function () { callback(); });
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
    // Tom Select moves the <label for> to its typing box; the hidden original keeps its name through it.
    var label = document.getElementById(select.id + "-ts-label");
    if (label) { select.setAttribute("aria-labelledby", label.id); }
    return picker;
  }

  document.querySelectorAll("select[data-picker]").forEach(init);
})();
