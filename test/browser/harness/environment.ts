/** Where the tests find Debian's browsers, and the host names they resolve to loopback. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";

/** Every test site listens on 127.0.0.1; the browser maps these names to it. */
export const TEST_HOSTS = ["owui.test", "sub.owui.test", "other.test", "tools.test", "noaccess.test", "xn--mnchen-3ya.test"] as const;
