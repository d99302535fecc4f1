export { AppModule, HOST_ENV } from './app.module.ts';
export { ContactCampaignPlanService, type PersistedPlan } from './contact-campaign-plan.service.ts';
