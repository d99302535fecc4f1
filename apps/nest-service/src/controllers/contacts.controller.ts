import { CampaignPlanExecutionService, type ContactRecord, formatRoutedId } from '@campaign/core';
import { Body, Controller, Delete, Get, Headers, Inject, Param, Patch } from '@nestjs/common';
import { z } from 'zod';
import { ProblemError } from '../http/problem.ts';
import { parseBody } from '../http/schemas.ts';

/** A contact as the API answers it (issue 14). */
export function contactAnswer(contact: ContactRecord) {
  return {
    id: contact.id,
    email: contact.email,
    phone: contact.phone,
    name: contact.name,
    timezone: contact.timezone,
    attributes: contact.attributes,
    suppressed: contact.suppressedAt !== null,
    smsSuppressed: (contact.smsSuppressedAt ?? null) !== null,
  };
}

/** PATCH takes a JSON Merge Patch (RFC 7396): `application/merge-patch+json`, or plain `application/json`. */
function assertMergePatch(contentType: string | undefined): void {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/merge-patch+json' || type === 'application/json') return;
  throw new ProblemError(
    415,
    'unsupported_media_type',
    'Unsupported media type',
    'send the patch as application/merge-patch+json (or application/json)',
  );
}

/** `/v1/contacts/:id`: read, update by JSON Merge Patch, erase (issue 14). */
@Controller('v1/contacts')
export class ContactsController {
  private readonly service: CampaignPlanExecutionService;
  constructor(@Inject(CampaignPlanExecutionService) service: CampaignPlanExecutionService) {
    this.service = service;
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return contactAnswer(await this.service.getContact(id));
  }

  @Patch(':id')
  async patch(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('content-type') type: string | undefined,
  ) {
    assertMergePatch(type);
    // Text Postgres cannot store (a NUL, a lone surrogate) or too deep a nesting: 400 before core sees it.
    return contactAnswer(await this.service.patchContact(id, parseBody(z.unknown(), body)));
  }

  @Delete(':id')
  async erase(@Param('id') id: string) {
    const erased = await this.service.eraseContact(id);
    // Campaign ids as the API hands them out: with their contact's (DESIGN section 9).
    return {
      ...erased,
      cancelledCampaignIds: erased.cancelledCampaignIds.map((c) => formatRoutedId(c, erased.contactId)),
    };
  }
}
