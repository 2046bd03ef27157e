// A "Copy" button copies the value of the field its data-copy names (the webhook address, shown once).
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    document.execCommand("copy"); // without a secure context (plain http on a LAN address)
  }
  button.textContent = button.dataset.copied;
});
