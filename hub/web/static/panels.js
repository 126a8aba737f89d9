// The pages run no inline script (Content-Security-Policy script-src 'self'): behaviour is here.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
