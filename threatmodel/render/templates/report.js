// Optional: filter the findings by severity, open status and text. The report reads the same
// without it; the filter form stays hidden when scripts do not run.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var items = document.querySelectorAll("article.finding");
  var count = document.getElementById("filter-count");
  function apply() {
    var wanted = {};
    var boxes = form.querySelectorAll("input[name=severity]");
    for (var i = 0; i < boxes.length; i++) { wanted[boxes[i].value] = boxes[i].checked; }
    var openOnly = form.querySelector("input[name=open]").checked;
    var text = form.querySelector("input[name=q]").value.toLowerCase();
    var shown = 0;
    for (var j = 0; j < items.length; j++) {
      var item = items[j];
      var ok = wanted[item.getAttribute("data-severity")] !== false &&
        (!openOnly || item.getAttribute("data-open") === "true") &&
        (!text || item.textContent.toLowerCase().indexOf(text) !== -1);
      item.hidden = !ok;
      if (ok) { shown += 1; }
    }
    count.textContent = shown + " of " + items.length + " shown";
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
}());
