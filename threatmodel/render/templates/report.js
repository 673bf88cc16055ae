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
  function only(event, id) {
    if (!element) { return; }
    event.preventDefault();
    element.value = id;
    apply();
    form.scrollIntoView();
  }
  var badges = document.querySelectorAll("a[data-element], svg [data-element]");
  for (var b = 0; b < badges.length; b++) {
    badges[b].addEventListener("click", function (event) {
      only(event, this.getAttribute("data-element"));
    });
    badges[b].addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        only(event, this.getAttribute("data-element"));
      }
    });
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
}());

// Optional: zoom each diagram (it fits the width at first), and move a zoomed diagram by
// dragging it; the frame's scroll bars do the same without the script.
(function () {
  "use strict";
  var all = document.querySelectorAll("div.zoom");
  for (var z = 0; z < all.length; z++) { zoomable(all[z]); }
  function zoomable(tools) {
    var frame = tools.nextElementSibling;
    var svg = frame && frame.querySelector("svg");
    if (!svg) { return; }
    var zoom = 1;
    var start = null;
    function set(value) {
      zoom = Math.min(8, Math.max(1, value));
      svg.style.width = (zoom * 100) + "%";
    }
    tools.addEventListener("click", function (event) {
      var how = event.target.getAttribute("data-zoom");
      if (how) { set(how === "in" ? zoom * 1.5 : how === "out" ? zoom / 1.5 : 1); }
    });
    frame.addEventListener("mousedown", function (event) {
      if (zoom > 1 && !event.target.closest("[data-element]")) {
        start = {x: event.clientX, y: event.clientY, left: frame.scrollLeft, top: frame.scrollTop};
        event.preventDefault();
      }
    });
    window.addEventListener("mousemove", function (event) {
      if (!start) { return; }
      frame.scrollLeft = start.left - (event.clientX - start.x);
      frame.scrollTop = start.top - (event.clientY - start.y);
    });
    window.addEventListener("mouseup", function () { start = null; });
    tools.hidden = false;
  }
}());
