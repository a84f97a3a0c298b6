// Follows a report being written: asks the server where it stands every two seconds and shows it, then the
// download links once it is done. Without JavaScript the page refreshes itself instead (a <noscript> meta).
(function () {
  const section = document.getElementById("report-progress");
  if (!section || !["queued", "running"].includes(section.dataset.state)) return;
  const bar = section.querySelector(".progress-bar");
  const meter = section.querySelector('[role="progressbar"]');
  const field = (name) => section.querySelector(`[data-field="${name}"]`);

  async function follow() {
    let state;
    try {
      const response = await fetch(section.dataset.progressUrl, {headers: {Accept: "application/json"}});
      if (!response.ok) throw new Error(response.statusText);
      state = await response.json();
    } catch (error) {
      setTimeout(follow, 5000); // the server is busy or restarting: try again a little later
      return;
    }
    bar.style.width = `${state.progress}%`;
    bar.textContent = `${state.progress}%`;
    meter.setAttribute("aria-valuenow", state.progress);
    field("label").textContent = state.label.charAt(0).toUpperCase() + state.label.slice(1);
    field("step").textContent = state.state === "running" && state.step ? `: ${state.step}` : "";
    if (state.state !== "queued" && field("waiting")) field("waiting").remove();
    if (state.state === "done" || state.state === "failed") {
      bar.classList.remove("progress-bar-striped", "progress-bar-animated");
      if (state.state === "failed") {
        bar.classList.add("bg-danger");
        field("error").textContent = state.error_message;  // in the page's language
      } else {
        window.location.reload(); // the page then shows the files with their sizes
      }
      return;
    }
    setTimeout(follow, 2000);
  }
  setTimeout(follow, 1000);
})();
