// The API key lives in sessionStorage: it survives a reload, not the closing of the tab.
const STORAGE = "mlaas.apiKey";

export function currentKey(): string | null {
  return sessionStorage.getItem(STORAGE);
}

export function storeKey(key: string): void {
  sessionStorage.setItem(STORAGE, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(STORAGE);
}
