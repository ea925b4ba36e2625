// Law-making: selecting words in a paragraph of the draft fills the
// annotation form (the paragraph's number and the exact passage) and opens
// it. Without this script the form is filled by hand.
(function () {
  "use strict";
  var form = document.getElementById("annotate");
  var paragraph = document.getElementById("f-paragraph");
  var quote = document.getElementById("f-quote");
  if (!form || !paragraph || !quote) return;
  function paragraphOf(node) {
    while (node && node.nodeType !== 1) node = node.parentNode;
    return node && node.closest ? node.closest("[data-paragraph]") : null;
  }
  document.addEventListener("mouseup", pick);
  document.addEventListener("keyup", function (e) {
    if (e.shiftKey) pick();
  });
  function pick() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed) return;
    var from = paragraphOf(sel.anchorNode);
    var to = paragraphOf(sel.focusNode);
    if (!from || from !== to) return;
    var text = sel.toString().trim();
    if (!text || text.length > 1000) return;
    paragraph.value = from.getAttribute("data-paragraph");
    quote.value = text;
    form.open = true;
  }
})();
