"use strict";
// The language choice applies as soon as it is picked; the button stays for no-JS use.
document.querySelectorAll("form.lang-form").forEach((form) => {
  const select = form.querySelector("select");
  const button = form.querySelector("button");
  if (button) button.hidden = true;
  if (select) select.addEventListener("change", () => form.requestSubmit());
});
