// Inlined into each page's head (a classic script, before Material's bundle): see
// searchintent.js.
import { holdSearch } from "./searchintent.js";

holdSearch(window);
