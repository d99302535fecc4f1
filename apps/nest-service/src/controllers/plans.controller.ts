import { planJsonSchema, repairPlan, validatePlan } from '@campaign/core';
import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ProblemError } from '../http/problem.ts';
import { parseBody, planBody } from '../http/schemas.ts';

function parseFix(value: unknown): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ProblemError(400, 'invalid_request', 'Invalid request', 'fix must be true or false');
}

@Controller('v1/plans')
export class PlansController {
  @Get('schema')
  schema(): Record<string, unknown> {
    return planJsonSchema();
  }

  @Post('validate')
  @HttpCode(200)
  validate(@Body() body: unknown, @Query('fix') fix: unknown) {
    const { plan } = parseBody(planBody, body);
    if (parseFix(fix)) {
      const repaired = repairPlan(plan);
      return { valid: repaired.valid, issues: repaired.issues, plan: repaired.plan };
    }
    const { valid, issues } = validatePlan(plan);
    return { valid, issues };
  }
}
