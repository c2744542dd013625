/* Check-in at the door: read a badge's QR code with the device camera (BarcodeDetector API).
   Progressive enhancement only: without the API or a camera, the typed field (or a handheld
   scanner, which types the code and presses Enter) does the same. No external code. */
(function () {
  "use strict";

  var form = document.getElementById("checkin-form");
  var panel = document.getElementById("checkin-camera");
  if (!form || !panel) { return; }
  var field = form.querySelector("input[name=code]");
  var door = form.querySelector("input[name=door]");

  /* A door name chosen once (?door=North) is kept for every scan from this device. */
  try {
    var named = new URLSearchParams(window.location.search).get("door");
    if (named) { window.localStorage.setItem("alliance_door", named); }
    if (door && !door.value) { door.value = window.localStorage.getItem("alliance_door") || ""; }
  } catch (e) { /* storage refused: no door name */ }

  if (field) { field.focus(); }
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) {
    return;
  }
  panel.hidden = false;
  var video = document.getElementById("camera-video");
  var start = document.getElementById("camera-start");
  var stopButton = document.getElementById("camera-stop");
  var status = document.getElementById("camera-status");
  var stream = null;
  var timer = null;
  var detector = null;

  function say(text) { status.textContent = text || ""; }

  function stop() {
    if (timer) { window.clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.hidden = true;
    stopButton.hidden = true;
    start.hidden = false;
  }

  function look() {
    if (!stream) { return; }
    detector.detect(video).then(function (codes) {
      if (codes && codes.length && codes[0].rawValue) {
        field.value = codes[0].rawValue;
        say(panel.getAttribute("data-found"));
        stop();
        try { window.sessionStorage.setItem("alliance_camera", "on"); } catch (e) { /* ignore */ }
        form.submit();
        return;
      }
      timer = window.setTimeout(look, 200);
    }).catch(function () { timer = window.setTimeout(look, 400); });
  }

  function begin() {
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (e) {
      say(panel.getAttribute("data-denied"));
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        stopButton.hidden = false;
        start.hidden = true;
        say(panel.getAttribute("data-starting"));
        return video.play();
      })
      .then(look)
      .catch(function () { stop(); say(panel.getAttribute("data-denied")); });
  }

  start.addEventListener("click", begin);
  stopButton.addEventListener("click", function () { stop(); say(""); });
  window.addEventListener("pagehide", stop);

  /* After a scan the page reloads with the result: go on scanning if the camera was on. */
  try {
    if (window.sessionStorage.getItem("alliance_camera") === "on") {
      window.sessionStorage.removeItem("alliance_camera");
      begin();
    }
  } catch (e) { /* ignore */ }
})();
