import { join } from 'node:path';
import { AppError } from '../common/app-error';
import { MANAGER_SERVICE_CARD_FIELDS, MANAGER_SERVICE_CARD_TEMPLATE, managerServiceCardData } from './manager-service-card';
import { TemplateCatalog } from './template-catalog';

const catalog = TemplateCatalog.fromDirectory(join(__dirname, '../../templates'));

describe('manager service card (经理服务卡, 003 四.(一))', () => {
  const user = {
    username: 'mgr',
    displayName: '上官云飞',
    attributes: { phone: '0755-26881234', mobile: '13900139000', email: 'sg@example.com', serviceCenter: '碧海蓝天花园管理处', department: '管理处' },
  };

  it('reads exactly the documented fields, on the public sheet (no number, no print-time footer)', () => {
    expect(catalog.referencedRootFields(MANAGER_SERVICE_CARD_TEMPLATE)).toEqual([...MANAGER_SERVICE_CARD_FIELDS].sort());
    expect([...catalog.partialsUsedBy(MANAGER_SERVICE_CARD_TEMPLATE)].sort()).toEqual(['layout', 'public-sheet']);
  });

  it('names the manager with phone, mobile and e-mail from the user record, escaped', () => {
    const data = managerServiceCardData({ user });
    expect(data).toEqual({
      serviceCenter: '碧海蓝天花园管理处',
      project: '',
      manager: { name: '上官云飞', title: '', phone: '0755-26881234', mobile: '13900139000', email: 'sg@example.com' },
    });
    const { html } = catalog.render(MANAGER_SERVICE_CARD_TEMPLATE, { ...data, manager: { ...data.manager, name: '<b>上官</b>' } });
    expect(html).toContain('&lt;b&gt;上官&lt;/b&gt;');
    expect(html).toContain('服务中心经理'); // the default title
    expect(html.match(/<th>电子邮件<\/th><td>sg@example.com<\/td>/g)).toHaveLength(2); // two cards to cut
    expect(html).not.toContain('打印时间');
  });

  it('refuses a user without a display name, saying how to give one', () => {
    expect(() => managerServiceCardData({ user: { ...user, displayName: null } })).toThrow(AppError);
    expect(() => managerServiceCardData({ user: { ...user, displayName: null } })).toThrow(/wf user add mgr --name/);
  });
});
