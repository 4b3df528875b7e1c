// Strings for people live in i18n/<lang>.json; this module loads them, fills elements marked with
// data-i18n / data-i18n-aria / data-i18n-placeholder, and remembers the choice in this browser.
const SUPPORTED = ['de', 'en'];
let strings = {};
let lang = 'en';

export function detectLanguage() {
  const saved = localStorage.getItem('plenum.lang');
  if (SUPPORTED.includes(saved)) return saved;
  for (const l of navigator.languages || [navigator.language || 'en']) {
    const base = String(l).slice(0, 2).toLowerCase();
    if (SUPPORTED.includes(base)) return base;
  }
  return 'en';
}

export async function setLanguage(next) {
  const res = await fetch(new URL(`i18n/${next}.json`, document.baseURI));
  strings = await res.json();
  lang = next;
  localStorage.setItem('plenum.lang', next);
  document.documentElement.lang = next;
  apply(document);
}

export function currentLanguage() { return lang; }

export function t(key, vars = {}) {
  const s = strings[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] !== undefined ? String(vars[k]) : ''));
}

export function apply(root) {
  root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll('[data-i18n-aria]').forEach((el) => el.setAttribute('aria-label', t(el.dataset.i18nAria)));
  root.querySelectorAll('[data-i18n-placeholder]').forEach((el) => el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder)));
}
