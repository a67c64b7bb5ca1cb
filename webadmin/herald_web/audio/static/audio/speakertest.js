// The Speaker test page: start a calibration or a test, wait until the audio
// service has finished it, then show the new result and chart.
(() => {
  "use strict";
  const token = () => document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const message = document.getElementById("speaker-test-message");
  const buttons = document.querySelectorAll("[data-speaker-test]");
  const POLL_MS = 250;

  function busy(on) {
    buttons.forEach((button) => {
      button.disabled = on || button.hasAttribute("data-needs-calibration");
    });
  }

  async function finished() {
    for (;;) {
      const reply = await fetch("/speaker-test/progress/");
      const answer = await reply.json();
      if (!reply.ok) throw new Error(answer.error || `HTTP ${reply.status}`);
      if (!answer.running) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async function start(what) {
    busy(true);
    message.className = "";
    message.textContent = what === "calibrate" ? "Calibrating: listen to the test tones…"
                                               : "Testing the speaker…";
    try {
      const reply = await fetch(`/speaker-test/${what}/`,
                                {method: "POST", headers: {"X-CSRFToken": token()}});
      let answer = {};
      try { answer = await reply.json(); } catch (error) { answer = {error: `HTTP ${reply.status}`}; }
      if (!reply.ok) throw new Error(answer.error || `HTTP ${reply.status}`);
      await finished();
      location.reload();
    } catch (error) {
      message.className = "bad";
      message.textContent = `The speaker test did not run: ${error.message}`;
      busy(false);
    }
  }

  buttons.forEach((button) => {
    button.addEventListener("click", () => start(button.dataset.speakerTest));
  });
  busy(Boolean(message.textContent));
  if (message.textContent) finished().then(() => location.reload());
})();
