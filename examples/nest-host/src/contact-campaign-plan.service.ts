import { CampaignPlanExecutionService, type ContactInput } from '@campaign/core';
import { Inject, Injectable } from '@nestjs/common';

export interface PersistedPlan {
  campaignId: string;
  status: string;
  /** False when `requestId` was seen before: the campaign of that first request, nothing new. */
  created: boolean;
}

/**
 * The host's own service (the seed's contactCampaignPlan.service.ts): it stores the AI-generated plan of
 * a contact and starts its execution. The engine comes by injection from CampaignEngineModule; the first
 * send is scheduled in the same transaction that stores the campaign, and the engine's worker sends it.
 */
@Injectable()
export class ContactCampaignPlanService {
  private readonly campaignPlanExecutionService: CampaignPlanExecutionService;

  // The token named (@Inject), and a plain parameter rather than a parameter property: the tests'
  // transform (oxc) drops the import used only by a parameter property's decorator, and a type-only use
  // would be an `import type` to the linter.
  constructor(
    @Inject(CampaignPlanExecutionService) campaignPlanExecutionService: CampaignPlanExecutionService,
  ) {
    this.campaignPlanExecutionService = campaignPlanExecutionService;
  }

  /**
   * Validates and stores `plan` for `contact` and activates it. `requestId` makes a retried request
   * return the first one's campaign. Throws PlanValidationError (with the validator's issues) for a bad
   * plan and ContactSuppressedError for an unsubscribed contact.
   */
  async persistPlan(contact: ContactInput, plan: unknown, requestId?: string): Promise<PersistedPlan> {
    const { campaign, created } = await this.campaignPlanExecutionService.persistPlan({
      contact,
      plan,
      idempotencyKey: requestId ?? null,
    });
    return { campaignId: campaign.id, status: campaign.status, created };
  }
}
