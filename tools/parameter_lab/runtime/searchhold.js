// Inlined into each page's head (a classic script, before Material's bundle): see
// searchintent.js.
import { holdSearchIndex } from "./searchintent.js";

holdSearchIndex(window);
