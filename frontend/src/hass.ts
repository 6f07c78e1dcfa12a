/** The parts of Home Assistant's `hass` object and panel properties the panel uses. */

export interface HassConnection {
  subscribeMessage<T>(
    callback: (message: T) => void,
    message: Record<string, unknown>,
    options?: { resubscribe?: boolean },
  ): Promise<() => Promise<void>>;
  addEventListener(event: string, listener: (...args: unknown[]) => void): void;
  removeEventListener(event: string, listener: (...args: unknown[]) => void): void;
}

export interface HassAuth {
  data: { access_token: string; hassUrl?: string };
  expired: boolean;
  refreshAccessToken(): Promise<void>;
}

export interface HassLocale {
  language: string;
  number_format?: string;
  time_format?: string;
  time_zone?: string;
}

export interface Hass {
  connection: HassConnection;
  auth: HassAuth;
  language: string;
  locale?: HassLocale;
  config?: { time_zone?: string };
  user?: { id: string; name: string; is_admin: boolean };
  themes?: { darkMode?: boolean };
  callWS<T>(message: Record<string, unknown>): Promise<T>;
  fetchWithAuth(path: string, init?: RequestInit): Promise<Response>;
  hassUrl?(path?: string): string;
}

export interface PanelInfo {
  url_path?: string;
  title?: string | null;
  config?: Record<string, unknown>;
}

/** The message of an error answered by `callWS` (`{code, message}`) or thrown otherwise. */
export function errorMessage(err: unknown): string {
  if (err && typeof err === "object" && "message" in err) {
    const message = (err as { message: unknown }).message;
    if (typeof message === "string" && message) return message;
  }
  if (err && typeof err === "object" && "code" in err) {
    return String((err as { code: unknown }).code);
  }
  return String(err);
}
