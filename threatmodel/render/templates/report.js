// Optional: filter the findings by severity, open status, element and text, and keep the
// counts in step. The report reads the same without it; the filter form stays hidden when
// scripts do not run, and the element badges are then plain links to the findings.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var items = document.querySelectorAll("article.finding");
  var headings = document.querySelectorAll("h3.severity-heading");
  var count = document.getElementById("filter-count");
  var element = form.querySelector("select[name=element]");
  function apply() {
    var wanted = {};
    var boxes = form.querySelectorAll("input[name=severity]");
    for (var i = 0; i < boxes.length; i++) { wanted[boxes[i].value] = boxes[i].checked; }
    var openOnly = form.querySelector("input[name=open]").checked;
    var text = form.querySelector("input[name=q]").value.toLowerCase();
    var only = element ? element.value : "";
    var shown = 0;
    var bySeverity = {};
    for (var j = 0; j < items.length; j++) {
      var item = items[j];
      var severity = item.getAttribute("data-severity");
      var ok = wanted[severity] !== false &&
        (!openOnly || item.getAttribute("data-open") === "true") &&
        (!only || item.getAttribute("data-element") === only) &&
        (!text || item.textContent.toLowerCase().indexOf(text) !== -1);
      item.hidden = !ok;
      if (ok) { shown += 1; bySeverity[severity] = (bySeverity[severity] || 0) + 1; }
    }
    for (var k = 0; k < headings.length; k++) {
      var n = bySeverity[headings[k].getAttribute("data-severity")] || 0;
      headings[k].querySelector(".group-count").textContent = n;
      headings[k].hidden = n === 0;
    }
    count.textContent = shown + " of " + items.length + " shown";
  }
  var badges = document.querySelectorAll("a[data-element]");
  for (var b = 0; b < badges.length; b++) {
    badges[b].addEventListener("click", function (event) {
      if (!element) { return; }
      event.preventDefault();
      element.value = this.getAttribute("data-element");
      apply();
      form.scrollIntoView();
    });
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
}());
