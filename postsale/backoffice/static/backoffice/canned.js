// Canned replies: "Insert" puts the article's filled text into the reply box at the
// cursor, instead of reloading the page with it (what the link does without JavaScript).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-insert]");
    var box = document.getElementById("reply-body");
    if (!link || !box) { return; }
    event.preventDefault();
    var start = box.selectionStart, end = box.selectionEnd;
    if (document.activeElement !== box && start === 0 && end === 0) {
      start = end = box.value.length;  // never focused: add at the end
    }
    var before = box.value.slice(0, start), after = box.value.slice(end);
    var gap = !before ? "" : before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    var text = gap + link.dataset.insert;
    box.value = before + text + after;
    box.focus();
    box.setSelectionRange(before.length + text.length, before.length + text.length);
    box.dispatchEvent(new Event("input", { bubbles: true }));
    var status = document.getElementById("canned-status");
    if (status) { status.textContent = link.dataset.title || ""; }
  });
})();
