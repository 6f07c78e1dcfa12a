/**
 * The panel's text: the `panel` section of the integration's translations in the user's
 * language (`frontend/get_translations`, category `panel`), English (bundled at build time from
 * translations/en.json) for anything missing; and locale-aware numbers, durations and times.
 */

import type { Hass } from "./hass.js";

declare const __PANEL_STRINGS__: Record<string, unknown>;

const PREFIX = "component.ottoengine.panel.";

export type Strings = Record<string, string>;

/** `{"a": {"b": "x"}}` → `{"a.b": "x"}` (how HA flattens translation files). */
export function flatten(tree: Record<string, unknown>, prefix = ""): Strings {
  const flat: Strings = {};
  for (const [key, value] of Object.entries(tree)) {
    if (value && typeof value === "object") Object.assign(flat, flatten(value as Record<string, unknown>, `${prefix}${key}.`));
    else if (typeof value === "string") flat[`${prefix}${key}`] = value;
  }
  return flat;
}

export const ENGLISH: Strings = flatten(__PANEL_STRINGS__);

/** The panel's strings in `language` (English where a key is missing or loading fails). */
export async function loadStrings(hass: Hass, language: string): Promise<Strings> {
  if (language === "en") return ENGLISH;
  try {
    const answer = await hass.callWS<{ resources: Record<string, string> }>({
      type: "frontend/get_translations",
      language,
      category: "panel",
      integration: ["ottoengine"],
    });
    const strings: Strings = { ...ENGLISH };
    for (const [key, value] of Object.entries(answer.resources ?? {})) {
      if (key.startsWith(PREFIX) && typeof value === "string") strings[key.slice(PREFIX.length)] = value;
    }
    return strings;
  } catch {
    return ENGLISH;
  }
}

export type Localize = (key: string, values?: Record<string, string | number>) => string;

/** `key` in `strings` with its `{placeholders}` filled in (the key itself if it has no text). */
export function makeLocalize(strings: Strings): Localize {
  return (key, values) => {
    const text = strings[key] ?? ENGLISH[key] ?? key;
    if (!values) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in values ? String(values[name]) : whole,
    );
  };
}

/** Formats numbers, durations and clock times for the user's locale and time settings. */
export class Formatter {
  private readonly language: string;
  private readonly hour12: boolean | undefined;
  private readonly timeZone: string | undefined;
  private readonly localize: Localize;

  constructor(hass: Hass, localize: Localize) {
    this.language = hass.locale?.language || hass.language || "en";
    const timeFormat = hass.locale?.time_format;
    this.hour12 = timeFormat === "12" ? true : timeFormat === "24" ? false : undefined;
    this.timeZone = hass.locale?.time_zone === "server" ? hass.config?.time_zone : undefined;
    this.localize = localize;
  }

  number(value: number, fractionDigits = 0): string {
    return new Intl.NumberFormat(this.language, {
      maximumFractionDigits: fractionDigits,
      minimumFractionDigits: fractionDigits,
    }).format(value);
  }

  /** "1 h 05 min", "12 min" (minutes rounded up: a minute left is not none). */
  duration(minutes: number): string {
    const total = Math.max(0, Math.ceil(minutes));
    const hours = Math.floor(total / 60);
    const rest = total % 60;
    if (hours === 0) return this.localize("format.minutes", { minutes: rest });
    return this.localize("format.hours_minutes", { hours: this.number(hours), minutes: String(rest).padStart(2, "0") });
  }

  /** Clock time of an ISO instant; with the weekday when it is not today. */
  time(iso: string, now: Date = new Date()): string {
    const when = new Date(iso);
    if (Number.isNaN(when.getTime())) return "";
    const options: Intl.DateTimeFormatOptions = { hour: "numeric", minute: "2-digit", hour12: this.hour12 };
    if (this.timeZone) options.timeZone = this.timeZone;
    const day = (date: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: this.timeZone, dateStyle: "short" }).format(date);
    if (day(when) !== day(now)) options.weekday = "short";
    return new Intl.DateTimeFormat(this.language, options).format(when);
  }

  temperature(value: number | null, target: number | null): string {
    if (value === null || value === undefined) return "—";
    const current = `${this.number(value)} °C`;
    if (target === null || target === undefined || target <= 0) return current;
    return `${this.number(value)} / ${this.number(target)} °C`;
  }
}
