// ak web UI: progressive enhancement only. Pages work without this file;
// with it, lists and running sessions refresh in place and Copy buttons work.
(function () {
  "use strict";
  var POLL_MS = 1000;

  function poll(el) {
    var url = el.getAttribute("data-live");
    if (!url) return;
    var busy = false;
    var timer = setInterval(function () {
      if (busy || document.hidden) return;
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(function (html) {
          if (el.innerHTML !== html) el.innerHTML = html;
          // A session page stops polling once the session has ended.
          if (el.id === "session-live" && !el.querySelector(".st-running, .st-created")) {
            clearInterval(timer);
            location.reload(); // the actions change with the state
          }
        })
        .catch(function () {})
        .then(function () { busy = false; });
    }, POLL_MS);
  }

  function copy(btn) {
    var text = btn.getAttribute("data-copy");
    var done = function () {
      var old = btn.textContent;
      btn.textContent = "Copied";
      setTimeout(function () { btn.textContent = old; }, 1500);
    };
    var fallback = function () {
      var ta = document.createElement("textarea");
      ta.value = text;
      document.body.appendChild(ta);
      ta.select();
      try { if (document.execCommand("copy")) done(); } catch (e) {}
      ta.remove();
      btn.focus();
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live]").forEach(poll);
    document.querySelectorAll("button.copy").forEach(function (b) {
      b.addEventListener("click", function () { copy(b); });
    });
    // Filters apply as soon as a select changes (the Filter button stays for no-JS).
    document.querySelectorAll("form.filters select").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
  });
})();
