/* Skill filter for the onboarding "skills" step (templates/volunteers/includes/step_skills.html).
   Progressive enhancement: the filter box stays hidden without JavaScript and every skill is listed.
   Typing hides the skills whose name and description do not contain the text (accents and case
   ignored); ticked skills always stay visible so that nobody unticks something they cannot see. */
(function () {
  "use strict";
  var box = document.querySelector("[data-skill-filter]");
  if (!box) {
    return;
  }
  var input = box.querySelector("input");
  var status = box.querySelector("[data-skill-filter-status]");
  var groups = Array.prototype.slice.call(document.querySelectorAll(".skill-group"));

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function apply() {
    var query = fold(input.value.trim());
    var shown = 0;
    // Ticked skills stay on screen but are not matches: "no match" must still be said when only they remain.
    var matches = 0;
    groups.forEach(function (group) {
      var visible = 0;
      group.querySelectorAll(".skill-option").forEach(function (option) {
        var checkbox = option.querySelector("input");
        var match = !query || fold(option.textContent).indexOf(query) !== -1;
        var show = match || (checkbox && checkbox.checked);
        option.hidden = !show;
        if (show) {
          visible += 1;
        }
        if (match) {
          matches += 1;
        }
      });
      group.hidden = visible === 0;
      shown += visible;
    });
    if (!query) {
      status.textContent = "";
    } else if (matches) {
      status.textContent = box.getAttribute("data-status") + " " + shown;
    } else {
      status.textContent = box.getAttribute("data-empty");
    }
  }

  box.hidden = false;
  input.addEventListener("input", apply);
  input.addEventListener("keydown", function (event) {
    // Enter in the filter box would submit the step: keep the volunteer on the list instead.
    if (event.key === "Enter") {
      event.preventDefault();
    }
  });
})();
