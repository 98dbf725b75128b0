// Behaviour the pages ask for through data- attributes: no inline script or handler anywhere,
// so the content security policy allows scripts from this site's files only (issue 15).
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  function orgUrl(slug) {
    return "/o/" + encodeURIComponent(slug) + "/";
  }

  onReady(function () {
    // <select data-autosubmit>: choosing an option submits its form (language, filters).
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });

    // <form data-org-switch>: the organization picker goes to that organization's panel.
    document.querySelectorAll("form[data-org-switch]").forEach(function (form) {
      var select = form.querySelector("select");
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        location.href = orgUrl(select.value);
      });
      select.addEventListener("change", function () { location.href = orgUrl(select.value); });
    });

    // <button data-print>: print the page.
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });

    // <progress data-poll-url>: a running job's progress, polled each second until it ends.
    document.querySelectorAll("[data-poll-url]").forEach(function (progress) {
      var status = document.getElementById(progress.dataset.statusId);
      (function poll() {
        fetch(progress.dataset.pollUrl, {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (s) {
            progress.value = s.progress;
            if (status) {
              status.textContent = s.label || (s.status + " (" + s.phase + ", " + s.images_done + "/" + s.images_total + ")");
            }
            // A job's page reloads to show its results; a list only updates its bar and text.
            if (s.finished && progress.dataset.reloadOnFinish !== "no") { location.reload(); }
            else if (!s.finished) { setTimeout(poll, 1000); }
          });
      })();
    });

    // <input data-subject-picker data-search-url>: suggestions from the organization's subjects
    // as one types; choosing one puts its pseudonym in the field (no UUID pasted by hand).
    document.querySelectorAll("input[data-subject-picker]").forEach(function (input) {
      var list = document.createElement("datalist");
      list.id = input.id + "-suggestions";
      input.setAttribute("list", list.id);
      input.parentNode.appendChild(list);
      var timer = null;
      input.addEventListener("input", function () {
        clearTimeout(timer);
        var term = input.value.trim();
        if (term.length < 2) { return; }
        timer = setTimeout(function () {
          fetch(input.dataset.searchUrl + "?q=" + encodeURIComponent(term), {credentials: "same-origin"})
            .then(function (r) { return r.ok ? r.json() : {results: []}; })
            .then(function (data) {
              list.textContent = "";
              data.results.forEach(function (row) {
                var option = document.createElement("option");
                option.value = row.pseudonym;
                option.label = row.label;
                option.textContent = row.label;
                list.appendChild(option);
              });
            });
        }, 250);
      });
    });

    // <select data-filters-purposes>: the form's purposes narrow to the chosen deployment's.
    document.querySelectorAll("select[data-filters-purposes]").forEach(function (select) {
      var purposes = select.form && select.form.querySelector("select[name=purpose]");
      if (!purposes) { return; }
      function narrow() {
        Array.prototype.forEach.call(purposes.options, function (option) {
          if (!option.value) { return; }
          var attached = (option.dataset.deployments || "").split(" ").indexOf(select.value) >= 0;
          option.hidden = select.value !== "" && !attached;
          option.disabled = option.hidden;
          if (option.hidden && option.selected) { purposes.value = ""; }
        });
      }
      select.addEventListener("change", narrow);
      narrow();
    });
  });
})();
