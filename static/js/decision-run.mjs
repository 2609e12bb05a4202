// The progress page of a decision from the ranking: poll the run's progress (the API's
// /decision-runs/{id}/) until it has finished, then reload to show the refusals.
// A file, not an inline script, so the page keeps to the content security policy.
const progress = document.getElementById("run-progress");
const text = document.getElementById("progress");
const url = progress?.dataset.pollUrl;

const tick = async () => {
  const run = await (await fetch(url, { headers: { Accept: "application/json" } })).json();
  const decided = run.done + run.refused;
  const percent = run.total ? Math.floor((decided * 100) / run.total) : 100;
  progress.value = percent;
  text.textContent =
    `${decided} of ${run.total} application${run.total === 1 ? "" : "s"} decided ` +
    `(${percent}%): ${run.done} done, ${run.refused} refused, ${run.waiting} waiting`;
  if (run.state === "done") {
    window.location.reload();
  } else {
    setTimeout(tick, 2000);
  }
};

if (url) {
  setTimeout(tick, 2000);
}
