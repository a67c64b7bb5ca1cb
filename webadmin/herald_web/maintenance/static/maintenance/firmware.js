// Maintenance > Firmware upgrade and Firmware rollback: upload the bundle in
// pieces (with the upload's progress), ask for the upgrade, then follow the
// worker's progress, the Autorollback countdown and the restart over the
// websocket; reload once the device answers again.
"use strict";

(function () {
  const STAGES = {
    uploading: "Uploading the firmware",
    checking: "Verifying the firmware",
    installing: "Installing the firmware",
    installed: "Firmware installed",
    waiting: "Waiting for audio playback to end",
    restarting: "Restarting",
    refused: "The firmware was not installed",
  };
  let card, countdown = null, restarting = false, uploading = false;

  const $ = (name) => document.querySelector(`[data-fw="${name}"]`);

  function token() {
    return document.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  async function post(url, body, headers = {}) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin", body,
      headers: { "X-CSRFToken": token(), ...headers },
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.error || `${response.status} ${response.statusText}`);
    return answer;
  }

  const postJson = (url, value) => post(url, JSON.stringify(value), { "Content-Type": "application/json" });

  function showProgress(stage, percent, message, bad) {
    $("progress").hidden = false;
    $("progress-title").textContent = STAGES[stage] || stage;
    $("progress-title").className = bad ? "bad" : stage === "installed" ? "ok" : "";
    $("bar").value = percent;
    $("bar").hidden = stage === "refused";
    $("progress-message").textContent = message || "";
    $("restart-now").hidden = stage !== "waiting";
  }

  // One piece over XHR: fetch cannot report upload progress.
  function sendPiece(url, blob, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRFToken", token());
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.upload.onprogress = (event) => onProgress(event.loaded);
      xhr.onload = () => {
        let answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (error) { /* not JSON */ }
        if (xhr.status === 200) resolve(answer);
        else reject(new Error(answer.error || `${xhr.status} ${xhr.statusText}`));
      };
      xhr.onerror = () => reject(new Error("the connection to the device was lost"));
      xhr.send(blob);
    });
  }

  const choices = (form) => ({
    type: form.type.value, minutes: Number(form.minutes.value), force: form.force.checked,
  });

  // From a URL: the update service downloads what it needs itself.
  async function upgradeFrom(form, url) {
    form.querySelector("button[type=submit]").disabled = true;
    try {
      showProgress("checking", 0, "Waiting for the worker");
      await postJson("/maintenance/firmware/upgrade/", { url, ...choices(form) });
    } catch (error) {
      showProgress("refused", 0, error.message, true);
    } finally {
      form.querySelector("button[type=submit]").disabled = false;
    }
  }

  async function upgrade(form) {
    const file = form.bundle.files[0], url = form.url.value.trim();
    if (file && url) {
      showProgress("refused", 0, "Choose a firmware file or give its address, not both.", true);
      return;
    }
    if (url) { await upgradeFrom(form, url); return; }
    if (!file) {
      showProgress("refused", 0, "Choose a firmware file or give its address.", true);
      return;
    }
    uploading = true;
    form.querySelector("button[type=submit]").disabled = true;
    try {
      showProgress("uploading", 0, `${file.name}: 0 of ${file.size} bytes`);
      const started = await postJson("/maintenance/firmware/upload/", { size: file.size, name: file.name });
      for (let offset = 0; offset < file.size; offset += started.chunk) {
        const piece = file.slice(offset, offset + started.chunk);
        await sendPiece(`/maintenance/firmware/upload/${started.upload}/?offset=${offset}`, piece, (loaded) => {
          const done = offset + loaded;
          showProgress("uploading", Math.floor((done * 100) / file.size), `${file.name}: ${done} of ${file.size} bytes`);
        });
      }
      uploading = false;
      showProgress("checking", 0, "Waiting for the worker");
      await postJson("/maintenance/firmware/upgrade/", { upload: started.upload, ...choices(form) });
    } catch (error) {
      uploading = false;
      showProgress("refused", 0, error.message, true);
    } finally {
      form.querySelector("button[type=submit]").disabled = false;
    }
  }

  function showTrial(trial) {
    $("trial").hidden = !trial;
    clearInterval(countdown);
    if (!trial) return;
    $("trial-version").textContent = trial.version;
    $("trial-from").textContent = trial.from_version;
    let left = trial.seconds_left;
    const tick = () => {
      const minutes = Math.floor(left / 60), seconds = String(left % 60).padStart(2, "0");
      $("countdown").textContent = `${minutes}:${seconds}`;
      left = Math.max(0, left - 1);
    };
    tick();
    countdown = setInterval(tick, 1000);
  }

  function show(facts) {
    const status = facts.status;
    if (status) {
      $("version").textContent = status.version;
      $("slot").textContent = status.booted;
      const previous = status.slots.find((slot) => !slot.running);
      $("previous").textContent = previous && previous.good ? (previous.version || "unknown version") : "none";
      $("rollback").hidden = !(previous && previous.good);  // nothing to roll back to
      $("last").textContent = status.last ? `Last upgrade: ${status.last.message}` : "";
    }
    showTrial(facts.autorollback);
    const progress = facts.progress;
    if (progress && !uploading) {
      showProgress(progress.stage, progress.percent, progress.message, progress.stage === "refused");
      if (progress.stage === "restarting") restarting = true;
    }
  }

  // After a restart: reload once the web app answers again (on the new firmware).
  function awaitRestart() {
    $("progress-message").textContent = "The device is restarting; this page reloads when it is back.";
    const poll = async () => {
      try {
        const response = await fetch("/healthz", { cache: "no-store" });
        if (response.ok) { location.reload(); return; }
      } catch (error) { /* still down */ }
      setTimeout(poll, 3000);
    };
    setTimeout(poll, 5000);
  }

  function connect(path) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}${path}`);
    socket.addEventListener("message", (event) => show(JSON.parse(event.data).firmware));
    socket.addEventListener("close", (event) => {
      if (event.code === 4403) { location.reload(); return; }
      if (restarting) { awaitRestart(); return; }
      setTimeout(() => connect(path), 2000);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    card = document.getElementById("firmware");
    if (!card) return;
    show(JSON.parse(document.getElementById("firmware-facts").textContent));
    connect(card.dataset.liveFirmware);
    document.getElementById("upgrade-form").addEventListener("submit", (event) => {
      event.preventDefault();
      upgrade(event.target);
    });
    card.querySelector("[data-fw-action=confirm]").addEventListener("click", async () => {
      try {
        await post("/maintenance/firmware/confirm/");
        showTrial(null);
        showProgress("installed", 100, "The new firmware is confirmed and stays.");
      } catch (error) {
        showProgress("refused", 0, error.message, true);
      }
    });
    document.getElementById("rollback-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const message = $("rollback-message");
      try {
        const answer = await postJson("/maintenance/firmware/rollback/", { force: event.target.force.checked });
        message.className = "ok";
        message.textContent = answer.version
          ? `The device restarts into firmware ${answer.version}.` : "The device returns to the previous firmware.";
        restarting = true;
      } catch (error) {
        message.className = "bad";
        message.textContent = error.message;
      }
    });
  });
})();
