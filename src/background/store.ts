import browser from "webextension-polyfill";
import { type LoadedSettings, parseSettings, SETTINGS_KEY, type Settings } from "../core/settings.ts";

export async function loadSettings(): Promise<LoadedSettings> {
  const stored = await browser.storage.local.get(SETTINGS_KEY);
  return parseSettings(stored[SETTINGS_KEY]);
}

export async function saveSettings(settings: Settings): Promise<void> {
  await browser.storage.local.set({ [SETTINGS_KEY]: settings });
}
