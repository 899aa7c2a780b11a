/**
 * The associate permission check of commercetools' as-associate endpoints, shared by the mocked and
 * the embedded commercetools: which Permission a request needs (one of them suffices) and the
 * platform's 403 AssociateMissingPermission answer.
 */

export interface AsAssociatePath {
  associateId: string;
  /** The business unit of an `in-business-unit/key=` path or a `business-units/key=` read. */
  businessUnitKey: string | undefined;
  /** `carts`, `orders`...; undefined for the business-units reads. */
  resource: string | undefined;
  /** The id (or `key=`) after the resource, when the path names one. */
  id: string | undefined;
}

const PATH =
  /^\/as-associate\/([^/]+)(?:\/in-business-unit\/key=([^/]+)\/(carts|orders|quotes|quote-requests|shopping-lists|approval-rules|approval-flows)(?:\/([^/]+))?|\/business-units(?:\/key=([^/]+))?)$/;

/** The resource in a path -> the word in its Permission names (`ViewMyCarts`). */
const WORDS: Record<string, string> = {
  carts: 'Carts',
  orders: 'Orders',
  quotes: 'Quotes',
  'quote-requests': 'QuoteRequests',
  'shopping-lists': 'ShoppingLists',
};

/** Parses a path below the project (`/as-associate/...`); undefined for any other path. */
export function parseAsAssociatePath(path: string): AsAssociatePath | undefined {
  const m = path.match(PATH);
  if (!m) return undefined;
  const decode = (part: string | undefined) => (part === undefined ? undefined : decodeURIComponent(part));
  return { associateId: decode(m[1]) ?? '', businessUnitKey: decode(m[2] ?? m[5]), resource: m[3], id: decode(m[4]) };
}

/**
 * What a request needs: the action (for the message) and the Permissions of which one suffices; an
 * empty list when being an associate of the unit is enough (reading the business unit itself,
 * reading approval rules and flows).
 */
export function neededPermissions(method: string, path: AsAssociatePath): { action: string; permissions: string[] } {
  const action =
    method === 'GET' || method === 'HEAD'
      ? 'view'
      : method === 'DELETE'
        ? 'delete'
        : path.id === undefined
          ? 'create'
          : 'update';
  const resource = path.resource;
  if (resource === undefined) return { action, permissions: action === 'view' ? [] : ['UpdateBusinessUnitDetails'] };
  if (resource === 'approval-rules')
    return {
      action,
      permissions: action === 'view' ? [] : [action === 'create' ? 'CreateApprovalRules' : 'UpdateApprovalRules'],
    };
  if (resource === 'approval-flows') return { action, permissions: action === 'view' ? [] : ['UpdateApprovalFlows'] };
  const word = WORDS[resource]!;
  switch (action) {
    case 'view':
      return { action, permissions: [`ViewMy${word}`, `ViewOthers${word}`] };
    case 'create':
      return {
        action,
        permissions: [
          resource === 'orders'
            ? 'CreateMyOrdersFromMyCarts'
            : resource === 'quote-requests'
              ? 'CreateMyQuoteRequestsFromMyCarts'
              : `CreateMy${word}`,
        ],
      };
    case 'delete':
      return { action, permissions: [`DeleteMy${word}`, `DeleteOthers${word}`] };
    default:
      return { action, permissions: [`UpdateMy${word}`, `UpdateOthers${word}`] };
  }
}

/**
 * The platform's 403 body when the associate is not one of the unit, or their roles lack every one
 * of `permissions` (docs: AssociateMissingPermissionError).
 */
export function associateMissingPermission(
  associateId: string,
  businessUnitKey: string,
  action: string,
  permissions: readonly string[],
): Record<string, unknown> {
  const needs = permissions.length === 0 ? 'Needs to be an associate of it.' : `Needs '${permissions.join("' or '")}'.`;
  const message = `Associate '${associateId}' has no rights to ${action} in business-unit '${businessUnitKey}'. ${needs}`;
  return {
    statusCode: 403,
    message,
    errors: [
      {
        code: 'AssociateMissingPermission',
        message,
        associate: { typeId: 'customer', id: associateId },
        businessUnit: { typeId: 'business-unit', key: businessUnitKey },
        permissions,
      },
    ],
  };
}

/** Whether `held` (the associate's permissions, undefined when not an associate) allows the request. */
export function allows(held: readonly string[] | undefined, needed: readonly string[]): boolean {
  return held !== undefined && (needed.length === 0 || needed.some((p) => held.includes(p)));
}
