// The demo's stand-in for a statistics script or an advertising pixel (STANDIN_SCRIPTS, set by
// `make run`): rendered only under consent, like the real ones; it keeps a first-party cookie
// and requests nothing, so the cookie banner can be tried without any provider.
(() => {
  const which = document.currentScript ? document.currentScript.dataset.standin : "";
  const name = which === "standin_advertising" ? "demo_advertising" : "demo_statistics";
  const match = document.cookie.match(new RegExp(`(?:^|; )${name}=(\\d+)`));
  const pages = match ? Number(match[1]) + 1 : 1;
  document.cookie = `${name}=${pages}; max-age=31536000; path=/; SameSite=Lax`;
  console.info(`[demo] ${which} runs under consent: page ${pages}, no network request`);
})();
