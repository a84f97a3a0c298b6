/* Agency pickers (tracker/pickers). Each <select data-picker="agency"> becomes a Tom Select (npm's tom-select,
   served from node_modules): typing finds an agency by its name, its short name or any other name it goes by (the
   options' data-short and data-aliases), and in a multiple select a plain click adds an agency beside those already
   chosen, each shown as a chip that can be removed. Without JavaScript, or if Tom Select did not load, the plain
   select stays and works. */
(function () {
  "use strict";
  if (typeof window.TomSelect !== "function") { return; }

  // The picker's words in the page's language: the select's data-picker-text (pickers/options.py), else English.
  var ENGLISH = {
    hint: "Type part of its name, short name or another name to narrow the list; arrow keys and Enter choose.",
    multipleHint: "Type part of a name, short name or another name: each agency you choose is added to the " +
      "others. Remove one with its × or, in the box, with Backspace.",
    remove: "Remove",
    removeOne: "Remove %(name)s",
    noResults: "No agency goes by that name.",
    chosen: "Chosen: %(names)s.",
    noneChosen: "None chosen."
  };

  function words(select) {
    var given = {};
    try { given = JSON.parse(select.getAttribute("data-picker-text") || "{}"); } catch (e) { given = {}; }
    var text = {};
    Object.keys(ENGLISH).forEach(function (key) { text[key] = given[key] || ENGLISH[key]; });
    return text;
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function ids(element, attribute) {
    return (element.getAttribute(attribute) || "").split(/\s+/).filter(Boolean);
  }

  function describe(element, more) {
    var all = ids(element, "aria-describedby");
    more.forEach(function (id) { if (all.indexOf(id) < 0) { all.push(id); } });
    if (all.length) { element.setAttribute("aria-describedby", all.join(" ")); }
  }

  function hidden(id, text) {
    var span = document.createElement("span");
    span.id = id;
    span.className = "visually-hidden";
    span.textContent = text;
    return span;
  }

  function enhance(select) {
    var multiple = select.multiple;
    var text = words(select);
    var picker = new window.TomSelect(select, {
      searchField: ["text", "short", "aliases"],
      maxOptions: null,  // all of them (Tom Select shows 50 by default): the list scrolls
      allowEmptyOption: !multiple,  // "All agencies", "None": a choice like the others, as in the plain select
      closeAfterSelect: !multiple,
      plugins: multiple ? {remove_button: {title: text.remove}} : {},
      render: {
        no_results: function () { return '<div class="no-results">' + escapeHtml(text.noResults) + "</div>"; }
      }
    });
    var input = picker.control_input;
    var help = document.getElementById(select.id + "-help");
    var described = ids(select, "aria-describedby");
    if (multiple && help) {
      help.textContent = text.multipleHint;  // the plain select's "hold Ctrl" no longer applies
    } else {
      var hint = hidden(select.id + "-picker-hint", multiple ? text.multipleHint : text.hint);
      picker.wrapper.appendChild(hint);
      described.push(hint.id);
    }
    // The combobox stands for the select now: it takes its label (Tom Select moves it), help, errors and state,
    // and the select, hidden, only carries the form's value.
    describe(input, described);
    if (select.getAttribute("aria-invalid")) { input.setAttribute("aria-invalid", select.getAttribute("aria-invalid")); }
    select.setAttribute("aria-hidden", "true");
    if (!multiple) { return; }

    // What is chosen, said to a screen reader when it changes, and each chip's button naming what it removes.
    var chosen = hidden(select.id + "-chosen", "");
    picker.wrapper.appendChild(chosen);
    describe(input, [chosen.id]);
    function update() {
      var names = picker.items.map(function (value) { return picker.options[value].text; });
      chosen.textContent = names.length ? text.chosen.replace("%(names)s", names.join("; ")) : text.noneChosen;
      picker.control.querySelectorAll(".item").forEach(function (item) {
        var button = item.querySelector(".remove");
        var option = picker.options[item.dataset.value];
        if (button && option) {
          button.setAttribute("aria-label", text.removeOne.replace("%(name)s", option.text));
          button.title = text.removeOne.replace("%(name)s", option.text);
        }
      });
    }
    update();
    chosen.setAttribute("aria-live", "polite");  // from now on: what was there on loading is not news
    picker.on("change", update);
  }

  document.querySelectorAll("select[data-picker='agency']").forEach(enhance);
})();
