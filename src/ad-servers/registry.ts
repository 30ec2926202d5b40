import type { AdServerClient } from './ad-server-client';
import { SimulatedAdServer } from './simulated';

/**
 * Ad-server adapters by `Integration.adServer` key. SIMULATED is always available; real adapters
 * (Campaign Manager, Adform, DV360) register themselves with `registerAdServer` at start-up.
 */
const adapters = new Map<string, AdServerClient>();

export function registerAdServer(client: AdServerClient): void {
  adapters.set(client.key.toUpperCase(), client);
}

/** The adapter for a key (case-insensitive), or null when no adapter has that key. */
export function adServerFor(key: string): AdServerClient | null {
  return adapters.get(key.trim().toUpperCase()) ?? null;
}

export function adServerKeys(): string[] {
  return [...adapters.keys()].sort();
}

registerAdServer(new SimulatedAdServer());
