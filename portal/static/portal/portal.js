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
              status.textContent = s.status + " (" + s.phase + ", " + s.images_done + "/" + s.images_total + ")";
            }
            if (s.finished) { location.reload(); } else { setTimeout(poll, 1000); }
          });
      })();
    });
  });
})();
