export { CampaignActionProcessor } from './action-processor.ts';
export {
  type CampaignEngineAsyncOptions,
  CampaignEngineModule,
  type CampaignEngineOptions,
  type CampaignEngineSettings,
} from './campaign-engine.module.ts';
export { CAMPAIGN_ENGINE_RUNTIME, CAMPAIGN_ENGINE_WORKER } from './tokens.ts';
