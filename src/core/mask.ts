/** A key as the popup shows it until the user reveals it: never more than its last 4 characters. */
export function maskKey(key: string): string {
  const dots = "••••••••";
  return key.length >= 16 ? `${dots}${key.slice(-4)}` : dots;
}
