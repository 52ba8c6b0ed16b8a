// The upload page: drag-and-drop into the file input, then one request per file so each
// file's outcome appears as soon as it is parsed. Without JavaScript the form posts all
// files at once and the server renders the same table. Text goes in via textContent only.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  var zone = document.getElementById("dropzone");
  var input = document.getElementById("files");
  var list = document.getElementById("dz-list");
  var results = document.getElementById("results");
  var body = document.getElementById("results-body");
  if (!form || !zone || !input) return;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showChosen() {
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (f) {
      list.appendChild(el("li", "", f.name + "(" + Math.max(1, Math.round(f.size / 1024)) + " KB)"));
    });
  }

  function fill(row, name, outcome) {
    row.textContent = "";
    row.className = "outcome outcome-" + (outcome.status || "failed");
    var file = el("td", "filename");
    if (outcome.submission_id) {
      var link = el("a", "", name);
      link.href = results.getAttribute("data-detail-url").replace(/0$/, String(outcome.submission_id));
      file.appendChild(link);
    } else {
      file.textContent = name;
    }
    var result = el("td");
    if (outcome.status === "parsed") {
      result.appendChild(el("span", "badge ok", "已解析"));
      if (outcome.superseded_name) result.appendChild(el("div", "version", "取代了 " + outcome.superseded_name));
      if (outcome.superseded_by_name) {
        result.appendChild(el("div", "version", "较旧版本:已被 " + outcome.superseded_by_name + " 取代"));
      }
    } else if (outcome.status === "held") {
      result.appendChild(el("span", "badge warn", "待确认"));
      result.appendChild(document.createTextNode(" "));
      result.appendChild(el("span", "error-text", (outcome.hold || {}).message || ""));
    } else if (outcome.status === "duplicate") {
      result.appendChild(el("span", "badge", "重复文件(已提交过)"));
    } else {
      var error = outcome.error || {};
      result.appendChild(el("span", "badge bad", "失败"));
      result.appendChild(document.createTextNode(" "));
      var reason = el("span", "error-text", error.message || "上传失败");
      if (error.code) reason.setAttribute("data-code", error.code);  // for scripts and tests, not shown
      result.appendChild(reason);
    }
    var count = el("td", "num", String(outcome.entry_count || 0));
    var notes = el("td");
    (outcome.warnings || []).forEach(function (w) { notes.appendChild(el("div", "warn", w.message)); });
    if (!notes.childNodes.length) notes.appendChild(el("span", "muted", "无"));
    var found = el("td", "findings-cell");
    if (outcome.status === "parsed" && outcome.submission_id) {
      found.appendChild(el("span", "muted", "审核中…"));
      pollFindings(found, outcome.submission_id, 0);
    } else {
      found.appendChild(el("span", "muted", "—"));
    }
    [file, result, count, notes, found].forEach(function (td) { row.appendChild(td); });
  }

  // The unit's audit runs just after the upload answers: ask for its findings a few times.
  var WAITS = [800, 1500, 3000];
  function pollFindings(cell, id, attempt) {
    setTimeout(function () {
      fetch(results.getAttribute("data-findings-url").replace(/0\/findings$/, id + "/findings"),
            {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.json(); })
        .then(function (reply) {
          var list = reply.findings || [];
          if (!list.length && attempt + 1 < WAITS.length) return pollFindings(cell, id, attempt + 1);
          cell.textContent = "";
          if (!list.length) { cell.appendChild(el("span", "muted", "未发现问题")); return; }
          list.forEach(function (f) {
            var line = el("div", "finding");
            line.appendChild(el("span", "level level-" + f.severity, f.severity_name));
            line.appendChild(document.createTextNode(" "));
            var link = el("a", "", f.message);
            link.href = f.link;
            line.appendChild(link);
            cell.appendChild(line);
          });
        })
        .catch(function () { cell.textContent = "审核结果暂不可用,请稍后在审核页查看"; });
    }, WAITS[attempt]);
  }

  function send(file) {
    var row = el("tr", "outcome-pending");
    row.appendChild(el("td", "filename", file.name));
    row.appendChild(el("td", "muted", "正在上传并解析…"));
    body.appendChild(row);
    var data = new FormData(form);
    data.delete("files");
    data.append("files", file, file.name);
    return fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                               headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (reply) { fill(row, file.name, reply.outcomes ? reply.outcomes[0] : {error: reply.error}); })
      .catch(function () { fill(row, file.name, {error: {message: "网络错误,上传未完成,请重试"}}); });
  }

  form.addEventListener("submit", function (event) {
    if (!window.fetch || !window.FormData || !input.files.length) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var files = Array.prototype.slice.call(input.files);
    button.disabled = true;
    body.textContent = "";
    results.hidden = false;
    files.reduce(function (done, file) { return done.then(function () { return send(file); }); }, Promise.resolve())
      .then(function () { button.disabled = false; input.value = ""; list.textContent = ""; });
  });

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
      showChosen();
    }
  });
  input.addEventListener("change", showChosen);
})();
