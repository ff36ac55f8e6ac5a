// Copy buttons for secrets shown once (a new subaccount's token, an API
// key's secret, a webhook signing secret). The page works without this
// script: the secret is plain selectable text, and the button stays
// hidden. A button names the element holding the secret in data-copy.
"use strict";
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var target = document.getElementById(button.dataset.copy);
  var status = document.getElementById(button.dataset.copy + "-copied");
  if (!target || !navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(target.textContent.trim()).then(function () {
      if (status) { status.textContent = "Copied to the clipboard."; }
    }, function () {
      if (status) { status.textContent = "The browser would not copy it; select the text and copy it yourself."; }
    });
  });
});
