// Inlined into each page's head (a classic script): holds the static chart images until the
// page has loaded (imagehold.js), and fetches the loader once the page has loaded, or at the
// reader's first act on a block (see loaderintent.js). The loader's address is the script
// element's data-plab-loader, as the build wrote it for this page, and data-plab-preparing
// is what a block says while it waits for the loader.
import { holdImagesUntilLoaded } from "./imagehold.js";
import { startLoaderWhenNeeded } from "./loaderintent.js";

holdImagesUntilLoaded(window);

const script = document.currentScript ?? document.querySelector("script[data-plab-loader]");
startLoaderWhenNeeded(window, { src: script.dataset.plabLoader, preparing: script.dataset.plabPreparing });
