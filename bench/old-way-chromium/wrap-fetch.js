// The older way: a script in the page wraps fetch and adds the header to every request under the
// prefix. Benchmark fixture only; the key is a fake one that the benchmark's tool server expects.
const PREFIX = "http://tools.test:";
const PATH = "/c/";
const VALUE = "Bearer bench-key-not-a-secret";
const original = window.fetch;
window.fetch = function wrappedFetch(input, init) {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (url.startsWith(PREFIX) && new URL(url).pathname.startsWith(PATH)) {
    const headers = new Headers(init?.headers);
    headers.set("Authorization", VALUE);
    return original.call(this, input, { ...init, headers });
  }
  return original.call(this, input, init);
};
