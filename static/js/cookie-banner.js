// Progressive enhancement only: without it the footer link opens /privacy/cookies/ and every
// choice posts to the server. With it, the link reopens the banner in place.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-cookie-settings]");
    var banner = document.getElementById("cookie-banner");
    if (!link || !banner) {
      return;
    }
    event.preventDefault();
    banner.hidden = false;
    var details = banner.querySelector("details");
    if (details) {
      details.open = true;
    }
    banner.scrollIntoView({ block: "nearest" });
    document.getElementById("cookie-banner-title").focus();
  });
})();
