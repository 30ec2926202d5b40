import { Account, Role } from '../entities';
import { requireViewer, type RequestContext } from '../context/request-context';
import type { ConvertClientToPremiumInput } from '../schema/types/inputs';
import { DomainError, invalidInput, requiredText } from '../shared/errors';
import { isId } from '../shared/ids';
import { recordAuditEvent } from './audit.service';
import { returnedIds } from '../database/raw-sql';
import { assertAgencyClient } from './disconnection.service';
import { inTransaction } from './transaction';
import { assertActiveAccount, lockVisibleAccount } from './locks';

/**
 * R21 (staff only, shield): keeps a client's data with the brand. In one transaction the CLIENT
 * row is locked FOR UPDATE, becomes a PREMIUM_CLIENT with the contract reference and no owning
 * agency, and gets a new ACTIVE connection to its former agency. Reports, items and mappings are
 * kept; the client-access mode and selected users move onto the connection (a premium's access
 * is per connection), so the agency's users reach it exactly as before (REACHES now through the
 * connection); a later disconnectAgency follows R4–R8.
 * Empty contract reference → INVALID_INPUT; not an AudienceReport CLIENT of an agency (a
 * premium, a HUB account: assertAgencyClient) → INVALID_INPUT; archived → ACCOUNT_ARCHIVED.
 * R24: the premium needs an ADMIN, and a CLIENT has none (its users are VIEW_ONLY; the agency
 * administered it): `adminUserId`, one of the client's own active users, becomes it — missing →
 * LAST_ADMIN (nothing changes), not an active user of the client → INVALID_INPUT. Naming one of
 * the brand's people is what staff converting for a brand would expect; a brand without users
 * gets one first with addMember (VIEW_ONLY on the CLIENT). A user being deactivated at the same
 * moment is either refused here or makes the deactivation LAST_ADMIN, never both.
 * R22, R27: audited — the conversion on both sides' logs, the promotion on the brand's.
 */
export async function convertClientToPremium(
  ctx: RequestContext,
  input: ConvertClientToPremiumInput,
) {
  const { viewer } = requireViewer(ctx);
  const contractReference = requiredText(input.contractReference, ['input', 'contractReference']);
  return inTransaction(ctx, async (em) => {
    const client = await lockVisibleAccount(em, ctx, input.clientAccountId, 'update', [
      'input',
      'clientAccountId',
    ]);
    assertAgencyClient(client, ['input', 'clientAccountId']);
    assertActiveAccount(client);
    // R24: a premium client must have an ADMIN; a client's own users are all VIEW_ONLY, so the
    // brand names the one who becomes its ADMIN (issue 30 #9).
    const adminUserId = isId(input.adminUserId) ? input.adminUserId.toLowerCase() : null;
    if (!input.adminUserId) {
      throw new DomainError(
        'LAST_ADMIN',
        'A premium client needs an ADMIN: name one of the client’s users as adminUserId',
        ['input', 'adminUserId'],
      );
    }
    // FOR SHARE, after the client row (docs/concurrency.md): a deactivation of that user in
    // flight commits first and the user is then refused, so no premium starts with an inactive
    // ADMIN only (deactivateUser locks the user row too).
    const [chosen]: { role: Role }[] = adminUserId
      ? await em.query(
          `SELECT m.role FROM users u JOIN memberships m ON m.user_id = u.id AND m.account_id = $1
            WHERE u.id = $2 AND u.active
              FOR SHARE OF u`,
          [client.id, adminUserId],
        )
      : [];
    if (!chosen) {
      throw invalidInput(
        ['input', 'adminUserId'],
        'adminUserId must be an active user of the client',
      );
    }
    await em.query(`UPDATE memberships SET role = 'ADMIN' WHERE account_id = $1 AND user_id = $2`, [
      client.id,
      adminUserId,
    ]);
    const agencyId = client.agencyId!;
    await em.query(
      `UPDATE accounts SET type = 'PREMIUM_CLIENT', contract_reference = $2, agency_id = NULL,
              client_access = NULL
        WHERE id = $1`,
      [client.id, contractReference],
    );
    // A premium client's access belongs to its connection: the client's mode and selected users
    // move onto the new one, so the agency's users reach it exactly as before.
    const [connection]: { id: string }[] = await em.query(
      `INSERT INTO agency_connections
         (agency_id, premium_client_id, status, requested_by_account_id, requested_by_id,
          responded_at, responded_by_id, client_access)
       VALUES ($1, $2, 'ACTIVE', $1, $3, now(), $3,
               COALESCE($4::client_access_mode, 'EVERYONE_IN_AGENCY'))
       RETURNING id`,
      [agencyId, client.id, viewer.user.id, client.clientAccess],
    );
    await em.query(
      `WITH moved AS (DELETE FROM client_access_grants WHERE account_id = $2 RETURNING user_id)
       INSERT INTO connection_access_grants (connection_id, user_id) SELECT $1, user_id FROM moved`,
      [connection.id, client.id],
    );
    // R31: a client's scheduled disconnection cannot outlive its being a client (it would only
    // fail at its run): the conversion cancels it, named in the audit event.
    const cancelledScheduleIds = returnedIds(
      await em.query(
        `UPDATE scheduled_disconnections
            SET status = 'CANCELLED', cancelled_at = now(), cancelled_by_id = $2, lease_until = NULL
          WHERE client_account_id = $1 AND status = 'SCHEDULED'
         RETURNING id`,
        [client.id, viewer.user.id],
      ),
    );
    await recordAuditEvent(em, ctx, {
      action: 'CLIENT_CONVERTED_TO_PREMIUM',
      accountId: client.id,
      relatedAccountId: agencyId,
      details: {
        contractReference,
        connectionId: connection.id,
        formerAgencyId: agencyId,
        adminUserId,
        cancelledScheduleIds,
      },
    });
    // R27: the new ADMIN is a re-roled member like changeMemberRole's, on the brand's own log
    // (the former agency no longer acts for its members); explainAccess names this event.
    await recordAuditEvent(em, ctx, {
      action: 'MEMBER_ROLE_CHANGED',
      accountId: client.id,
      relatedAccountId: null,
      details: { userId: adminUserId, from: chosen.role, to: Role.ADMIN },
    });
    return em.getRepository(Account).findOneByOrFail({ id: client.id });
  });
}
