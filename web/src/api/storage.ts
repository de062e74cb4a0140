/**
 * localStorage when the browser allows it, else memory. A chat embedded on another site can
 * be denied storage (third-party storage blocking); it then still works, for that visit.
 */

const memory = new Map<string, string>();

function local(): Storage | null {
  try {
    const storage = window.localStorage;
    const probe = "tandem.probe";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch {
    return null;
  }
}

export const storage = {
  getItem(key: string): string | null {
    return local()?.getItem(key) ?? memory.get(key) ?? null;
  },
  setItem(key: string, value: string): void {
    const store = local();
    if (store) store.setItem(key, value);
    else memory.set(key, value);
  },
  removeItem(key: string): void {
    local()?.removeItem(key);
    memory.delete(key);
  },
};

/** sessionStorage when allowed, else memory (for the sign-in round trip). */
export const sessionStore = {
  getItem(key: string): string | null {
    try {
      return window.sessionStorage.getItem(key);
    } catch {
      return memory.get(`session:${key}`) ?? null;
    }
  },
  setItem(key: string, value: string): void {
    try {
      window.sessionStorage.setItem(key, value);
    } catch {
      memory.set(`session:${key}`, value);
    }
  },
  removeItem(key: string): void {
    try {
      window.sessionStorage.removeItem(key);
    } catch {
      memory.delete(`session:${key}`);
    }
  },
};
