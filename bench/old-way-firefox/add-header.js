// The older way in Firefox: a blocking webRequest listener adds the header to every request under
// the prefix. Benchmark fixture only; the key is a fake one that the benchmark's tool server expects.
const VALUE = "Bearer bench-key-not-a-secret";
browser.webRequest.onBeforeSendHeaders.addListener(
  (details) => {
    const requestHeaders = details.requestHeaders.filter((header) => header.name.toLowerCase() !== "authorization");
    requestHeaders.push({ name: "Authorization", value: VALUE });
    return { requestHeaders };
  },
  // Only way c's requests reach the listener, so that ways a and b pay nothing for it.
  { urls: ["http://tools.test/c/*"] },
  ["blocking", "requestHeaders"],
);
