// Live progress of one batch: poll its status.json, update the counts, reload when finished.
(function () {
  var box = document.getElementById("progress");
  if (!box || box.dataset.finished === "true") return;
  function tick() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        Object.keys(s.counts).forEach(function (k) {
          var el = box.querySelector('[data-count="' + k + '"]');
          if (el) el.textContent = s.counts[k];
        });
        var bar = box.querySelector("progress");
        bar.max = s.counts.total;
        bar.value = s.counts.done + s.counts.failed;
        if (s.finished) { window.location.reload(); } else { setTimeout(tick, 2000); }
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 2000);
})();
