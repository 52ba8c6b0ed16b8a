// 文书: while a long document is being generated, say so and keep the button from being pressed twice.
(function () {
  var form = document.getElementById("generate-form");
  if (!form) return;
  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    var status = document.getElementById("generate-status");
    var started = Date.now();
    button.disabled = true;
    button.textContent = "正在生成…";
    function tick() {
      var seconds = Math.round((Date.now() - started) / 1000);
      status.textContent = "正在生成文书,已用 " + seconds + " 秒;较大的文书(手册、PDF)可能需要一分钟,请勿关闭页面。";
    }
    tick();
    setInterval(tick, 1000);
  });
})();
