import type { Role } from '../protocol/index.js';

/** Where the dashboard keeps the key it was given: this browser's storage for this origin. */
const STORAGE_KEY = 'dtf-dashboard-key';

export function storedKey(): string | undefined {
  return localStorage.getItem(STORAGE_KEY) ?? undefined;
}

export function keepKey(key: string): void {
  localStorage.setItem(STORAGE_KEY, key);
}

export function forgetKey(): void {
  localStorage.removeItem(STORAGE_KEY);
}

/** Whether the coordinator takes `key` (`GET /api/whoami`), and what it says when it does not. */
export async function checkKey(key: string): Promise<{ ok: true } | { ok: false; why: string }> {
  try {
    const response = await fetch('/api/whoami', { headers: { authorization: `Bearer ${key}` } });
    if (response.ok) {
      const { role } = (await response.json()) as { role?: Role };
      // Every role but a worker's may read what the dashboard shows (protocol/roles.ts).
      if (role !== undefined && role !== 'worker') return { ok: true };
      return {
        ok: false,
        why: `this key is a ${role ?? 'unknown'} key; the dashboard needs a key that may read (admin, submitter or viewer)`,
      };
    }
    if (response.status === 401) return { ok: false, why: 'the coordinator refused this key' };
    return { ok: false, why: `the coordinator answered HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, why: `cannot reach the coordinator: ${(error as Error).message}` };
  }
}

/** A REST GET with the key, its JSON answer. */
export async function getJson<T>(key: string, path: string): Promise<T> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${key}` } });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}
