// The case search page (console/search.html).
// Filter errors come back as 400 with the form's message: show them, do not drop them.
document.body.addEventListener("htmx:beforeSwap", function (evt) {
  if (evt.detail.xhr.status === 400) { evt.detail.shouldSwap = true; evt.detail.isError = false; }
});
