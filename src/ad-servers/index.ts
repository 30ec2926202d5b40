export type { AdServerCampaign, AdServerClient } from './ad-server-client';
export { adServerFor, adServerKeys, registerAdServer } from './registry';
export { SimulatedAdServer, simulatedCampaigns } from './simulated';
