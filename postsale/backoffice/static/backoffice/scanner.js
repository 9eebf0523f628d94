/* The scanner page: reads QR codes with the phone's camera and sends them through the
   form, as if typed. Uses the browser's BarcodeDetector where it reads QR codes, else the
   jsQR decoder shipped with postsale (loaded only then). Without JavaScript the form
   still works by typing. */
(function () {
  "use strict";
  const root = document.getElementById("scanner");
  if (!root) return;
  const form = document.getElementById("scan-form");
  const input = form.querySelector("[name=code]");
  const video = document.getElementById("camera-video");
  const startButton = document.getElementById("camera-start");
  const stopButton = document.getElementById("camera-stop");
  const status = document.getElementById("camera-status");
  const say = (name) => { status.textContent = root.dataset[name] || ""; };

  const SAME_CODE_PAUSE = 3000; // ms: a code held in front of the camera is sent once
  const FRAME_INTERVAL = 120; // ms between decoding attempts (battery)
  let stream = null, decode = null, timer = null, sending = false;
  let last = { code: "", at: 0 };

  function send(code) {
    const now = Date.now();
    if (!code || sending || (code === last.code && now - last.at < SAME_CODE_PAUSE)) return;
    last = { code: code, at: now };
    input.value = code;
    form.requestSubmit();
  }

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = root.dataset.jsqr;
      script.onload = () => resolve(window.jsQR);
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  async function makeDecoder() {
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) {
          const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          return async () => {
            const codes = await detector.detect(video);
            return codes.length ? codes[0].rawValue : "";
          };
        }
      } catch (error) { /* fall back to jsQR */ }
    }
    const jsQR = await loadJsQR();
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return async () => {
      const width = video.videoWidth, height = video.videoHeight;
      if (!width || !height) return "";
      // Decode a scaled-down frame: faster, and QR codes at the gate are close and large.
      const scale = Math.min(1, 640 / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = jsQR(image.data, image.width, image.height,
                         { inversionAttempts: "dontInvert" });
      return found ? found.data : "";
    };
  }

  async function tick() {
    if (!stream) return;
    try {
      if (video.readyState >= 2) send(await decode());
    } catch (error) { /* a frame that cannot be read: try the next one */ }
    timer = window.setTimeout(tick, FRAME_INTERVAL);
  }

  async function start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("msgNoCamera");
      return;
    }
    say("msgStarting");
    try {
      stream = await navigator.mediaDevices.getUserMedia(
        { video: { facingMode: { ideal: "environment" } }, audio: false });
    } catch (error) {
      say(error && error.name === "NotAllowedError" ? "msgDenied" : "msgNoCamera");
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    decode = await makeDecoder();
    startButton.hidden = true;
    stopButton.hidden = false;
    say("msgScanning");
    tick();
  }

  function stop() {
    window.clearTimeout(timer);
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    startButton.hidden = false;
    stopButton.hidden = true;
    say("msgStopped");
  }

  // Feedback for staff who are looking at the person, not the screen.
  let audio = null;
  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const oscillator = audio.createOscillator(), gain = audio.createGain();
      oscillator.frequency.value = ok ? 880 : 220;
      gain.gain.value = 0.15;
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + (ok ? 0.12 : 0.45));
    } catch (error) { /* no sound: fine */ }
  }

  function feedback() {
    const result = document.querySelector("#scan-result [data-result]");
    if (!result) return;
    const ok = result.dataset.result === "ok";
    if (navigator.vibrate) navigator.vibrate(ok ? 80 : [200, 100, 200]);
    if (result.dataset.result !== "undone") beep(ok);
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
  document.addEventListener("visibilitychange", () => { if (document.hidden && stream) stop(); });
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt === form) sending = true;
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.elt === form) sending = false;
  });
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "scan-result") return;
    input.value = "";
    // With the camera on, a focused field would open the phone's keyboard over it.
    if (!stream) input.focus();
    feedback();
  });
})();
