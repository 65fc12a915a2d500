// The words the runtime writes into the page. They are the site's, chosen at build from
// parameter_lab/locales/<language>.json (and the site's locales_dir): the loader puts them
// from its manifest on globalThis.plabStrings before any other module runs. A word with a
// placeholder ("Done ({ms} ms)") is a function of that one value.
const fill = (text) => (value) => text.replace(/\{\w+\}/g, String(value));

export const language = () => (document.documentElement.lang || "en").split("-")[0];

let cached = null;
export const strings = () => {
  if (cached) return cached;
  const words = globalThis.plabStrings ?? {};
  cached = Object.fromEntries(
    Object.entries(words).map(([key, text]) => [key, /\{\w+\}/.test(text) ? fill(text) : text]),
  );
  return cached;
};
