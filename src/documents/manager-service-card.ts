/**
 * 《经理服务卡》 (003 四.(一)): 经理服务卡上有姓名、电话、传呼、电子邮件, printed by the company and
 * handed to owners with the 《业主公约》. The card is made from the manager's own user record, so
 * it changes when the record does: the display name, and the attributes `phone`, `mobile` (the
 * pager of the source, 传呼, is a mobile today), `email`, `title`, `serviceCenter` and `project`.
 * Pure: the caller reads the user and renders `templates/manager-service-card.hbs`.
 */
import { AppError, ErrorCode } from '../common/app-error';

export const MANAGER_SERVICE_CARD_TEMPLATE = 'manager-service-card';

/** The top-level fields the template reads (kept equal to the template by its spec). */
export const MANAGER_SERVICE_CARD_FIELDS = ['manager', 'project', 'serviceCenter'] as const;

export interface ServiceCardUser {
  readonly username: string;
  readonly displayName: string | null;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface ManagerServiceCardData {
  readonly serviceCenter: string;
  readonly project: string;
  readonly manager: { readonly name: string; readonly title: string; readonly phone: string; readonly mobile: string; readonly email: string };
}

/**
 * The card's data from a user record. A card names a person: a user without a display name is
 * refused (the login id is no name to give owners), with the command that sets one.
 */
export function managerServiceCardData({ user }: { user: ServiceCardUser }): ManagerServiceCardData {
  if (!user.displayName) {
    throw new AppError(
      ErrorCode.BadRequest,
      `user '${user.username}' has no display name, and a service card must name the manager: create the user with --name (wf user add ${user.username} --name 张三 …)`,
    );
  }
  const a = user.attributes;
  return {
    serviceCenter: a.serviceCenter ?? '',
    project: a.project ?? '',
    manager: { name: user.displayName, title: a.title ?? '', phone: a.phone ?? '', mobile: a.mobile ?? '', email: a.email ?? '' },
  };
}
