// Progressive enhancements only: every page works without this file.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) {
    select.form.requestSubmit();
  }
});

// "Use these details" of a known caller (templates/callbacks/partials/caller_known.html): fill the empty
// fields only, so nothing the receptionist typed is overwritten; then on to the first field still empty.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-fill-empty]");
  const scope = button && button.closest("[data-fill-scope]");
  const form = button && button.form;
  if (!scope || !form) {
    return;
  }
  let filled = null;
  for (const source of scope.querySelectorAll("data[data-fill-field]")) {
    const field = form.elements.namedItem(source.dataset.fillField);
    if (field && !field.value.trim()) {
      field.value = source.value;
      filled = field;
    }
  }
  if (filled) {
    // Once, after all fields are set: htmx redraws what depends on them (the promise step's sentence).
    filled.dispatchEvent(new Event("change", { bubbles: true }));
  }
  const empty = [...form.elements].find((field) => field.required && !field.value && field.type !== "hidden");
  (empty || form.querySelector("[type=submit][data-test=next]") || button).focus();
});

// The intake's first step: the closing line for "helped directly" or "put through" shows as soon as that
// outcome is chosen (templates/callbacks/steps/recipient.html), so it is said before Save.
document.addEventListener("change", (event) => {
  const choice = event.target.closest("input[type=radio][name$='-decision']");
  if (!choice || !choice.form) {
    return;
  }
  for (const line of choice.form.querySelectorAll("[data-closing-for]")) {
    line.hidden = line.dataset.closingFor !== choice.value;
  }
});

// What is typed on an intake step but not submitted yet survives a reload, an accidental Back or a tab
// that crashed: kept in this tab's sessionStorage per call and step, and forgotten once the step is sent
// (the server's draft has it from then on).
(() => {
  const form = document.querySelector("form.intake-form[data-token][data-step]");
  if (!form) {
    return;
  }
  const key = `terugbel:intake:${form.dataset.token}:${form.dataset.step}`;
  const typed = (field) => field.name && field.name !== "csrfmiddlewaretoken"
    && !["hidden", "submit", "button", "radio", "checkbox"].includes(field.type);
  const changed = (field) => (field.options
    ? Array.from(field.options).some((option) => option.selected !== option.defaultSelected)
    : field.value !== field.defaultValue);
  const unsent = JSON.parse(sessionStorage.getItem(key) || "{}");
  for (const field of Array.from(form.elements).filter(typed)) {
    if (changed(field)) {
      unsent[field.name] = field.value;  // typed before this script ran: newer than any copy
    } else if (field.name in unsent) {
      field.value = unsent[field.name];
    }
  }
  if (Object.keys(unsent).length) {
    sessionStorage.setItem(key, JSON.stringify(unsent));
  }
  form.addEventListener("input", (event) => {
    if (!typed(event.target)) {
      return;
    }
    const values = JSON.parse(sessionStorage.getItem(key) || "{}");
    values[event.target.name] = event.target.value;
    sessionStorage.setItem(key, JSON.stringify(values));
  });
  form.addEventListener("submit", () => sessionStorage.removeItem(key));
})();

// A receptionist who types before this page's scripts have run (a slow line, a busy machine) may already have
// left a field whose htmx request waits for its "change" (the caller's number: who is this, what is open).
// That change happened before htmx listened, so it is sent now; a field she is still in sends its own.
document.addEventListener("DOMContentLoaded", () => {
  for (const field of document.querySelectorAll("input[data-hx-trigger*='change']")) {
    if (field.value !== field.defaultValue && field !== document.activeElement) {
      htmx.trigger(field, "change");
    }
  }
});
