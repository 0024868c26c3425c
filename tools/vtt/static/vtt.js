// Measures the response time from the test image's display to the click, sends it with the
// answer, refuses a second submit of the same question, and maps keys 1 / 2 to the buttons.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form) { return; }
  var image = document.getElementById("test-image");
  var shown = null;
  function markShown() { if (shown === null) { shown = performance.now(); } }
  if (image.complete) { markShown(); } else { image.addEventListener("load", markShown); }
  form.addEventListener("submit", function (event) {
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    if (shown !== null) {
      form.elements.response_ms.value = String(Math.round(performance.now() - shown));
    }
  });
  document.addEventListener("keydown", function (event) {
    var id = { "1": "answer-real", "2": "answer-refined" }[event.key];
    if (id) { form.requestSubmit(document.getElementById(id)); }
  });
})();
