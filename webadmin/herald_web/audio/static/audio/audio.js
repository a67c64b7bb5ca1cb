// The Audio page: clip actions through the page's JSON API, the level meters
// over a websocket, and the "Create link" dialog.
(() => {
  "use strict";
  const token = () => document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const message = document.getElementById("clip-message");

  function say(text, bad) {
    message.textContent = text;
    message.className = bad ? "bad" : "ok";
  }

  async function post(url, data) {
    const body = data instanceof FormData ? data : new URLSearchParams(data || {});
    const reply = await fetch(url, {method: "POST", body, headers: {"X-CSRFToken": token()}});
    let answer = {};
    try { answer = await reply.json(); } catch (error) { answer = {error: `HTTP ${reply.status}`}; }
    if (!reply.ok) throw new Error(answer.error || `HTTP ${reply.status}`);
    return answer;
  }

  const clipUrl = (id, what) => `/audio/clips/${id}/${what}/`;

  async function act(row, action) {
    const id = row.dataset.clip, name = row.dataset.name;
    try {
      if (action === "play") {
        await post(clipUrl(id, "play"));
        say(`Playing ${name}.`);
      } else if (action === "stop") {
        await post("/audio/clips/stop/");
        say("Stopped.");
      } else if (action === "rename") {
        const newName = prompt("New name of the clip", name);
        if (newName === null) return;
        await post(clipUrl(id, "rename"), {name: newName});
        location.reload();
      } else if (action === "delete") {
        if (!confirm(`Delete the clip ${name}?`)) return;
        await post(clipUrl(id, "delete"));
        row.remove();
        say(`${name} is deleted.`);
      } else if (action === "link") {
        openLink(id, name);
      }
    } catch (error) {
      say(error.message, true);
    }
  }

  document.getElementById("clips").addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (button) act(button.closest("tr"), button.dataset.action);
  });

  document.getElementById("upload-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    say("Checking and adding the clip…");
    try {
      const answer = await post("/audio/clips/", new FormData(form));
      say(`${answer.clip.name} is added.`);
      location.reload();
    } catch (error) {
      say(`The clip was not added: ${error.message}`, true);
    }
  });

  // Create link: a playclip.cgi URL with the chosen volume and repeat count.
  const dialog = document.getElementById("link-dialog");
  let linkClip = null;
  function updateLink() {
    const volume = document.getElementById("link-volume").value;
    const repeat = document.getElementById("link-repeat").value;
    document.getElementById("link-url").value =
      `${location.origin}/axis-cgi/playclip.cgi?clip=${linkClip}&volume=${volume}&repeat=${repeat}`;
  }
  function openLink(id, name) {
    linkClip = id;
    dialog.querySelector("[data-link=name]").textContent = name;
    updateLink();
    dialog.showModal();
  }
  dialog.addEventListener("input", updateLink);
  dialog.querySelector("[data-link=close]").addEventListener("click", () => dialog.close());
  dialog.querySelector("[data-link=copy]").addEventListener("click", async () => {
    const field = document.getElementById("link-url");
    field.select();
    try { await navigator.clipboard.writeText(field.value); } catch (error) { /* selected */ }
  });

})();
