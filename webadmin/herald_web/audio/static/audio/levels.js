// Level meters: the speaker's and the microphone's levels from the engine,
// over a websocket, into <meter id="output-level"> and <meter id="input-level">.
(() => {
  "use strict";
  const panel = document.querySelector("[data-levels]");
  if (!panel) return;
  const state = panel.querySelector("[data-levels-state]");
  function show(which, level) {
    const meter = document.getElementById(`${which}-level`);
    if (!meter) return;
    meter.value = level;
    const text = panel.querySelector(`[data-level=${which}]`);
    if (text) text.textContent = `${Math.round(level)} %`;
  }
  function connect(delay) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}${panel.dataset.levels}`);
    socket.onopen = () => { state.textContent = "Live"; delay = 1000; };
    socket.onmessage = (event) => {
      const data = JSON.parse(event.data);
      if ("output" in data) show("output", data.output);
      if ("input" in data) show("input", data.input);
      if ("triggered" in data) {
        state.textContent = data.triggered ? "Live: sound above the detection level" : "Live";
      }
    };
    socket.onclose = () => {
      state.textContent = "Reconnecting…";
      setTimeout(() => connect(Math.min(delay * 2, 30000)), delay);
    };
  }
  connect(1000);
})();
