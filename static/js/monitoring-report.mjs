// The monitoring report page: poll the report's progress until it is ready, then reload.
// A file, not an inline script, so the page keeps to the content security policy.
const progress = document.getElementById("progress");
const text = document.getElementById("progress-text");
const url = progress?.dataset.pollUrl;

const tick = async () => {
  const state = await (await fetch(url, { headers: { Accept: "application/json" } })).json();
  progress.value = state.progress;
  text.textContent = `${state.progress}% done`;
  if (state.status === "done") {
    window.location.reload();
  } else {
    setTimeout(tick, 2000);
  }
};

if (url) {
  setTimeout(tick, 2000);
}
