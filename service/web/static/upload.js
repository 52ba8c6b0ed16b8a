// Drag-and-drop onto the upload zone: the dropped files go into the ordinary file input,
// so the form posts exactly as it does without JavaScript.
(function () {
  "use strict";
  var zone = document.getElementById("dropzone");
  var input = document.getElementById("files");
  var list = document.getElementById("dz-list");
  if (!zone || !input) return;
  function show() {
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (f) {
      var li = document.createElement("li");
      li.textContent = f.name + "(" + Math.max(1, Math.round(f.size / 1024)) + " KB)";
      list.appendChild(li);
    });
  }
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      show();
    }
  });
  input.addEventListener("change", show);
})();
