// Long lists (organisations, municipalities) get a search box above them:
// typing hides the options that do not contain the text, in any case. The
// list stays a native <select>, so keyboards, screen readers and the form
// work as before, and without this script nothing changes.
(function () {
  "use strict";
  var lists = document.querySelectorAll("select[data-filter]");
  for (var i = 0; i < lists.length; i++) { attach(lists[i]); }

  function attach(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-filter";
    box.setAttribute("aria-label", select.getAttribute("data-filter"));
    box.setAttribute("aria-controls", select.id);
    box.placeholder = select.getAttribute("data-filter");
    box.autocomplete = "off";
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var q = box.value.trim().toLocaleLowerCase();
      var matches = [];
      for (var j = 0; j < select.options.length; j++) {
        var o = select.options[j];
        if (o.value === "") { continue; }
        var show = !q || o.text.toLocaleLowerCase().indexOf(q) >= 0;
        o.hidden = !show;
        if (show) { matches.push(o); }
      }
      // One match left: it is the choice.
      if (q && matches.length === 1) { select.value = matches[0].value; }
    });
  }
})();
