// Stands in for https://mc.yandex.ru/metrika/tag.js in browser tests: marks that it ran and
// sets the counter's visitor cookie, as the real script does.
window.__metricaStubLoaded = true;
document.cookie = "_ym_uid=1700000000123; path=/; max-age=31536000; SameSite=Lax";
