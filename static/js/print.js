// A print button for pages people keep (receipts, data copies): shown only with JavaScript.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
