// Ringside console enhancements. Every page works without this file; it only adds conveniences.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the first error so keyboard and screen-reader users hear it at once.
  const error = document.querySelector("[role=alert]");
  if (error) {
    error.setAttribute("tabindex", "-1");
    error.focus();
  }
});
