// The ops console's one script (no library): the language menu submits itself, and an order's page follows the
// order live. The page works without it; a reload shows the same.
"use strict";
document.documentElement.classList.add("js");
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-submit-on-change")) {
    field.form.requestSubmit();
  }
});
document.addEventListener("DOMContentLoaded", () => {
  for (const part of document.querySelectorAll("[data-live]")) {
    const source = new EventSource(part.dataset.live);
    let fetching = false;
    source.addEventListener("changed", async (event) => {
      if (fetching || event.data === part.dataset.version) {
        return;
      }
      fetching = true;
      try {
        const response = await fetch(part.dataset.fragment, { headers: { Accept: "text/html" }, cache: "no-store" });
        if (response.redirected) {
          location.reload();
        } else if (response.ok) {
          part.innerHTML = await response.text();
          part.dataset.version = event.data;
        } else if (response.status === 401 || response.status === 403) {
          source.close();
        }
      } finally {
        fetching = false;
      }
    });
  }
});
