// Attain's progressive enhancement. Every page works without this file; it only saves clicks.
"use strict";
// Loaded in <head>, not deferred: the class is set before the page is drawn, so a phone never
// shows the unfolded menu first (app.css folds it only when script runs).
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  // The menu: one drop-down open at a time, closed by a click elsewhere or Escape. On a phone
  // the Menu button unfolds the whole menu with every group open.
  const nav = document.querySelector("nav.nav");
  if (nav) {
    const groups = Array.from(nav.querySelectorAll("details"));
    const button = nav.querySelector(".menu-button");
    const folded = () => button && getComputedStyle(button).display !== "none";
    for (const group of groups) {
      group.addEventListener("toggle", () => {
        if (group.open && !folded()) for (const other of groups) if (other !== group) other.open = false;
      });
    }
    const closeAll = () => { if (!folded()) for (const group of groups) group.open = false; };
    document.addEventListener("click", (event) => { if (!nav.contains(event.target)) closeAll(); });
    document.addEventListener("keydown", (event) => { if (event.key === "Escape") closeAll(); });
    button?.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      button.setAttribute("aria-expanded", String(open));
      for (const group of groups) group.open = open;
    });
  }
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
  // Import: Preview is fetched and shown in place, so the chosen files stay chosen for the
  // Import that follows (without script the preview is a page of its own).
  const importForm = document.getElementById("import-form");
  const previewButton = document.getElementById("preview-import");
  if (importForm && previewButton && window.fetch && window.DOMParser) {
    previewButton.addEventListener("click", async (event) => {
      if (!importForm.reportValidity()) return;
      event.preventDefault();
      const body = new FormData(importForm);
      body.set("step", "preview");
      previewButton.disabled = true;
      try {
        // The form has no field named "action", but read the attribute all the same.
        const answer = await fetch(importForm.getAttribute("action"), { method: "POST", body, credentials: "same-origin" });
        const page = new DOMParser().parseFromString(await answer.text(), "text/html");
        const fresh = page.getElementById("import-result");
        const old = document.getElementById("import-result");
        // Anything but a result (a refusal page) is shown as the page it is.
        if (!fresh) importForm.requestSubmit(previewButton);
        else if (old) old.replaceWith(fresh);
        else importForm.closest("section").after(fresh);
      } finally {
        previewButton.disabled = false;
      }
    });
  }
  // Disabling a user or revoking a token asks first.
  for (const button of document.querySelectorAll("button.danger")) {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.textContent.trim() + "?")) event.preventDefault();
    });
  }
});
