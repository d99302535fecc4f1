import { planJsonSchema, validatePlan } from '@campaign/core';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { parseBody, planBody } from '../http/schemas.ts';

@Controller('v1/plans')
export class PlansController {
  @Get('schema')
  schema(): Record<string, unknown> {
    return planJsonSchema();
  }

  @Post('validate')
  @HttpCode(200)
  validate(@Body() body: unknown) {
    const { valid, issues } = validatePlan(parseBody(planBody, body).plan);
    return { valid, issues };
  }
}
