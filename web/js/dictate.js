// The dictate button of /pm/orders/dictate: records with MediaRecorder
// (Opus in WebM or Ogg, or MP4 on Safari), puts the recording into the
// page's own file input and submits the form, so the upload is the same
// multipart form (CSRF token first) that works without this script.
(function () {
  "use strict";
  var box = document.getElementById("dictate-recorder");
  var form = document.getElementById("dictate-form");
  if (!box || !form || !window.MediaRecorder || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia || !window.DataTransfer) {
    return; // the file input and the typed text still work
  }
  var input = form.querySelector("input[type=file]");
  var start = box.querySelector("[data-start]");
  var stop = box.querySelector("[data-stop]");
  var status = box.querySelector("[role=status]");
  var max = parseInt(box.getAttribute("data-max-seconds") || "120", 10);
  var recorder = null;
  var timer = null;
  box.hidden = false;

  function mimeType() {
    var types = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/mp4"];
    for (var i = 0; i < types.length; i++) {
      if (MediaRecorder.isTypeSupported(types[i])) { return types[i]; }
    }
    return "";
  }

  function extension(type) {
    if (/ogg/.test(type)) { return "ogg"; }
    if (/mp4/.test(type)) { return "m4a"; }
    return "webm";
  }

  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var type = mimeType();
      var chunks = [];
      recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
      recorder.addEventListener("dataavailable", function (e) {
        if (e.data && e.data.size) { chunks.push(e.data); }
      });
      recorder.addEventListener("stop", function () {
        clearInterval(timer);
        stream.getTracks().forEach(function (t) { t.stop(); });
        var kind = recorder.mimeType || type || "audio/webm";
        var blob = new Blob(chunks, { type: kind });
        var files = new DataTransfer();
        files.items.add(new File([blob], "dictation." + extension(kind), { type: kind }));
        input.files = files.files;
        status.textContent = box.getAttribute("data-sending");
        form.submit();
      });
      var began = Date.now();
      recorder.start(1000);
      start.disabled = true;
      stop.disabled = false;
      stop.focus();
      timer = setInterval(function () {
        var s = Math.floor((Date.now() - began) / 1000);
        status.textContent = box.getAttribute("data-recording") + " " + s + " / " + max + " s";
        if (s >= max && recorder.state !== "inactive") { recorder.stop(); }
      }, 500);
    }).catch(function () {
      status.textContent = box.getAttribute("data-denied");
    });
  });

  stop.addEventListener("click", function () {
    stop.disabled = true;
    if (recorder && recorder.state !== "inactive") { recorder.stop(); }
  });
})();
