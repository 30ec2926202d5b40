import { Arg, Ctx, Mutation, Resolver, UseMiddleware } from 'type-graphql';
import type { RequestContext } from '../context/request-context';
import {
  AddOrganizationAccountInput,
  CreateAgencyInput,
  CreateClientAccountInput,
  CreatePremiumClientInput,
  SetClientAccessInput,
} from '../schema/types/inputs';
import { AccountPayload, OrganizationAccountPayload } from '../schema/types/payloads';
import * as provisioning from '../services/provisioning.service';
import { setClientAccess } from '../services/client-access.service';
import { ReturnUserErrors } from './middleware/return-user-errors';

@Resolver()
@UseMiddleware(ReturnUserErrors)
export class ProvisioningResolver {
  @Mutation(() => AccountPayload, { description: 'Platform staff.' })
  async createAgency(
    @Arg('input', () => CreateAgencyInput) input: CreateAgencyInput,
    @Ctx() ctx: RequestContext,
  ) {
    return { account: await provisioning.createAgency(ctx, input), userErrors: [] };
  }

  @Mutation(() => AccountPayload, { description: 'Platform staff.' })
  async createPremiumClient(
    @Arg('input', () => CreatePremiumClientInput) input: CreatePremiumClientInput,
    @Ctx() ctx: RequestContext,
  ) {
    return { account: await provisioning.createPremiumClient(ctx, input), userErrors: [] };
  }

  @Mutation(() => OrganizationAccountPayload, {
    description: "Platform staff: another product's account of an organization (R20).",
  })
  async addOrganizationAccount(
    @Arg('input', () => AddOrganizationAccountInput) input: AddOrganizationAccountInput,
    @Ctx() ctx: RequestContext,
  ) {
    return { account: await provisioning.addOrganizationAccount(ctx, input), userErrors: [] };
  }

  @Mutation(() => AccountPayload, { description: 'Agency ADMIN or ACCOUNT_MANAGER (R2).' })
  async createClientAccount(
    @Arg('input', () => CreateClientAccountInput) input: CreateClientAccountInput,
    @Ctx() ctx: RequestContext,
  ) {
    return { account: await provisioning.createClientAccount(ctx, input), userErrors: [] };
  }

  @Mutation(() => AccountPayload)
  async setClientAccess(
    @Arg('input', () => SetClientAccessInput) input: SetClientAccessInput,
    @Ctx() ctx: RequestContext,
  ) {
    return { account: await setClientAccess(ctx, input), userErrors: [] };
  }
}
