// The bytes the page and the Python worker share when the page is cross-origin isolated
// (a SharedArrayBuffer: COOP/COEP). The page makes them (client.js); the worker writes them
// (worker.js).
export const SIGNAL = 0; // Pyodide's interrupt buffer: the page writes SIGINT, Python clears it as it takes it
export const BUSY = 1; // the worker sets it for a job and clears it before posting its "done"
export const SHARED_BYTES = 2;
export const SIGINT = 2; // the signal's number, as Pyodide reads it
