// A batch of certificates: the progress bar follows the batch by polling its JSON endpoint, and
// stops once every certificate is issued and every PDF made (or failed). Without JavaScript the
// page reloads itself instead (a <noscript> refresh). Loaded as a file: the Content-Security-Policy
// allows no inline script.
document.addEventListener("DOMContentLoaded", () => {
  const bar = document.querySelector("progress[data-poll]");
  if (!bar || bar.dataset.settled) return;
  const state = document.getElementById("batch-state");
  const text = document.getElementById("batch-text");
  const wait = document.getElementById("batch-wait");
  const poll = () => {
    fetch(bar.dataset.poll, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => {
        bar.value = data.percent;
        bar.textContent = `${data.percent}%`;
        if (text) text.textContent = data.text;
        if (data.settled) {
          bar.dataset.settled = "1";
          if (state) {
            state.textContent = data.finished ? state.dataset.done : state.dataset.failed;
            state.className = `state ${data.finished ? "state-met" : "state-missed"}`;
          }
          if (wait) wait.hidden = true;
          return;
        }
        window.setTimeout(poll, 1500);
      })
      .catch(() => window.setTimeout(poll, 5000));
  };
  window.setTimeout(poll, 1000);
});
