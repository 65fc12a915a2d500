// Inlined into each page's head (a classic script): fetches the loader once the page has
// loaded, or at the reader's first act on a block (see loaderintent.js). The loader's
// address is the script element's data-plab-loader, as the build wrote it for this page.
import { startLoaderWhenNeeded } from "./loaderintent.js";

const script = document.currentScript ?? document.querySelector("script[data-plab-loader]");
startLoaderWhenNeeded(window, script.dataset.plabLoader);
