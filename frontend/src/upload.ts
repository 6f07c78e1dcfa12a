/**
 * Uploading a print file: `POST /api/print-jobs/upload` (multipart field `file`) with
 * XMLHttpRequest, so the panel can show the upload's progress; the user's access token
 * (refreshed first when it has expired) authorises it.
 */

import type { UploadedItem } from "./farm.js";
import type { Hass } from "./hass.js";

export const UPLOAD_PATH = "/api/print-jobs/upload";

export interface UploadHandle {
  done: Promise<UploadedItem>;
  abort(): void;
}

export class UploadError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Starts the upload; `onProgress` gets the fraction sent (0..1). */
export function uploadPrintFile(
  hass: Hass,
  file: File,
  onProgress: (fraction: number) => void,
): UploadHandle {
  const request = new XMLHttpRequest();
  let aborted = false;
  const done = (async () => {
    if (hass.auth.expired) await hass.auth.refreshAccessToken();
    if (aborted) throw new UploadError(0, "aborted");
    return new Promise<UploadedItem>((resolve, reject) => {
      const url = hass.hassUrl ? hass.hassUrl(UPLOAD_PATH) : UPLOAD_PATH;
      request.open("POST", url);
      request.setRequestHeader("Authorization", `Bearer ${hass.auth.data.access_token}`);
      request.responseType = "text";
      request.upload.onprogress = (event) => {
        if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
      };
      request.onload = () => {
        const body = parseBody(request.responseText);
        if (request.status >= 200 && request.status < 300 && body && "print_item_id" in body) {
          onProgress(1);
          resolve(body as unknown as UploadedItem);
        } else {
          const message = body && typeof body.message === "string" ? body.message : request.statusText;
          reject(new UploadError(request.status, message || `HTTP ${request.status}`));
        }
      };
      request.onerror = () => reject(new UploadError(0, "network error"));
      request.onabort = () => reject(new UploadError(0, "aborted"));
      const form = new FormData();
      form.append("file", file, file.name);
      request.send(form);
    });
  })();
  return {
    done,
    abort: () => {
      aborted = true;
      request.abort();
    },
  };
}

function parseBody(text: string): Record<string, unknown> | null {
  try {
    const body: unknown = JSON.parse(text);
    return body && typeof body === "object" ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
