// The scorecard editor's rows. The form saves without this script (it has an empty row in every section
// and an empty section); the script adds "Add item" and "Add section", which copy the page's empty-row
// templates under the next free row number, and greys out rows whose "remove" box is ticked.
(function () {
  "use strict";
  var form = document.getElementById("scorecard-editor");
  if (!form) { return; }
  var sections = document.getElementById("editor-sections");
  var itemTemplate = document.getElementById("item-template");
  var sectionTemplate = document.getElementById("section-template");

  function nextNumber(elements, pattern) {
    var highest = -1;
    Array.prototype.forEach.call(elements, function (el) {
      var match = pattern.exec(el.getAttribute("data-key") || "");
      if (match) { highest = Math.max(highest, Number(match[1])); }
    });
    return highest + 1;
  }
  function build(template, placeholder, key, containerTag) {
    var container = document.createElement(containerTag);
    container.innerHTML = template.innerHTML.split(placeholder).join(key);
    return container.firstElementChild;
  }
  function showButtons(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".add-item, #add-section"), function (b) { b.hidden = false; });
  }

  form.addEventListener("click", function (event) {
    var target = event.target;
    if (target.classList.contains("add-item")) {
      var fieldset = target.closest(".editor-section");
      var key = fieldset.getAttribute("data-key");
      var body = fieldset.querySelector("tbody");
      var n = nextNumber(body.querySelectorAll(".item-row"), /-i(\d+)$/);
      var row = build(itemTemplate, "__ITEM__", key + "-i" + n, "tbody");
      body.appendChild(row);
      row.querySelector("input").focus();
    } else if (target.id === "add-section") {
      var s = nextNumber(sections.querySelectorAll(".editor-section"), /^s(\d+)$/);
      var section = build(sectionTemplate, "__SECTION__", "s" + s, "div");
      sections.appendChild(section);
      showButtons(section);
      section.querySelector("input").focus();
    }
  });
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.classList.contains("remove-row")) {
      target.closest(".item-row").classList.toggle("removed", target.checked);
    } else if (target.classList.contains("remove-section")) {
      target.closest(".editor-section").classList.toggle("removed", target.checked);
    }
  });
  showButtons(form);
})();
