/* Agency pickers (tracker/pickers). Each <select data-picker="agency"> becomes a Tom Select (npm's tom-select,
   served from node_modules): typing finds an agency by its name, its short name or any other name it goes by (the
   options' data-short and data-aliases), and in a multiple select a plain click adds an agency beside those already
   chosen, each shown as a chip that can be removed. Without JavaScript, or if Tom Select did not load, the plain
   select stays and works. */
(function () {
  "use strict";
  if (typeof window.TomSelect !== "function") { return; }

  var HINT = "Type part of its name, short name or another name to narrow the list; arrow keys and Enter choose.";
  var MULTIPLE_HINT = "Type part of a name, short name or another name: each agency you choose is added to the " +
    "others. Remove one with its × or, in the box, with Backspace.";

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
    var picker = new window.TomSelect(select, {
      searchField: ["text", "short", "aliases"],
      maxOptions: null,  // all of them (Tom Select shows 50 by default): the list scrolls
      allowEmptyOption: !multiple,  // "All agencies", "None": a choice like the others, as in the plain select
      closeAfterSelect: !multiple,
      plugins: multiple ? {remove_button: {title: "Remove"}} : {},
      render: {
        no_results: function () { return '<div class="no-results">No agency goes by that name.</div>'; }
      }
    });
    var input = picker.control_input;
    var help = document.getElementById(select.id + "-help");
    var described = ids(select, "aria-describedby");
    if (multiple && help) {
      help.textContent = MULTIPLE_HINT;  // the plain select's "hold Ctrl" no longer applies
    } else {
      var hint = hidden(select.id + "-picker-hint", multiple ? MULTIPLE_HINT : HINT);
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
      chosen.textContent = names.length ? "Chosen: " + names.join("; ") + "." : "None chosen.";
      picker.control.querySelectorAll(".item").forEach(function (item) {
        var button = item.querySelector(".remove");
        var option = picker.options[item.dataset.value];
        if (button && option) {
          button.setAttribute("aria-label", "Remove " + option.text);
          button.title = "Remove " + option.text;
        }
      });
    }
    update();
    chosen.setAttribute("aria-live", "polite");  // from now on: what was there on loading is not news
    picker.on("change", update);
  }

  document.querySelectorAll("select[data-picker='agency']").forEach(enhance);
})();
