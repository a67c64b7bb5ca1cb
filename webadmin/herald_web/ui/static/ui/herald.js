// Herald web admin: theme and menu toggles, live sections over a websocket.
"use strict";

(function () {
  const root = document.documentElement;

  function currentTheme() {
    if (root.dataset.theme) return root.dataset.theme;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-toggle-theme]")) {
      const theme = currentTheme() === "dark" ? "light" : "dark";
      root.dataset.theme = theme;
      document.cookie = `theme=${theme}; path=/; max-age=31536000; samesite=strict`;
    }
    if (event.target.closest("[data-toggle-menu]")) {
      document.body.classList.toggle("menu-hidden");
    }
  });

  // Open a websocket to `path` and swap in the HTML sections it sends:
  // messages are {"sections": {"<name>": "<html>"}} and replace the inner HTML
  // of the element with data-live-section="<name>". Reconnects with back-off.
  function live(path, indicator) {
    let delay = 1000;
    function connect() {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      const socket = new WebSocket(`${scheme}//${location.host}${path}`);
      socket.addEventListener("open", () => {
        delay = 1000;
        if (indicator) { indicator.textContent = "Live"; indicator.className = "live-state ok"; }
      });
      socket.addEventListener("message", (event) => {
        const message = JSON.parse(event.data);
        for (const [name, html] of Object.entries(message.sections || {})) {
          const element = document.querySelector(`[data-live-section="${name}"]`);
          if (!element) continue;
          // A refresh keeps what the reader opened ("View details") open.
          const open = [...element.querySelectorAll("details")].map((d) => d.open);
          element.innerHTML = html;
          element.querySelectorAll("details").forEach((d, i) => { if (open[i]) d.open = true; });
        }
      });
      socket.addEventListener("close", (event) => {
        if (indicator) { indicator.textContent = "Not updating"; indicator.className = "live-state warn"; }
        if (event.code === 4403) { location.reload(); return; }
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      });
    }
    connect();
  }

  // Buttons that work only through a page's script come disabled (a click
  // before the script runs would submit a bare form or do nothing); the
  // pages' scripts have run by now and take them over in this same event.
  document.addEventListener("DOMContentLoaded", () => {
    for (const button of document.querySelectorAll("[data-needs-script]")) button.disabled = false;
    for (const element of document.querySelectorAll("[data-live]")) {
      live(element.dataset.live, element.querySelector(".live-state"));
    }
  });
})();
