// The visit form: hide the fields another kind of visit does not use, and keep a ticked search
// result when the results are replaced by the next search.
(function () {
  "use strict";

  function followKind(form) {
    var kind = form.querySelector("select[name=kind]");
    if (!kind) { return; }
    var update = function () { form.setAttribute("data-kind", kind.value); };
    kind.addEventListener("change", update);
    update();
  }

  function keepPicked(form) {
    var picked = form.querySelector("#picked");
    var results = form.querySelector("#results");
    if (!picked || !results) { return; }
    results.addEventListener("change", function (event) {
      var box = event.target;
      if (box.name !== "households" || !box.checked) { return; }
      picked.appendChild(box.closest("label"));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("visit-form");
    if (!form) { return; }
    followKind(form);
    keepPicked(form);
  });
})();
