// Attain's progressive enhancement. Every page works without this file; it only saves clicks.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Filter drop-downs apply as soon as they change (the Search button still works without JS).
  for (const select of document.querySelectorAll("form.filters select")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  // A freshly created API token can be copied with one click.
  const token = document.getElementById("new-token");
  if (token && navigator.clipboard) {
    const copy = document.createElement("button");
    copy.type = "button";
    copy.textContent = "Copy";
    copy.addEventListener("click", async () => {
      await navigator.clipboard.writeText(token.textContent);
      copy.textContent = "Copied";
    });
    token.after(" ", copy);
  }
  // Disabling a user or revoking a token asks first.
  for (const button of document.querySelectorAll("button.danger")) {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.textContent.trim() + "?")) event.preventDefault();
    });
  }
});
