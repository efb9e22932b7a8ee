/** What every page handler needs: the engine, the presenter, and the frame (name, roles, navigation) of the signed-in person. */
import { Inject, Injectable } from '@nestjs/common';
import type { Engine } from '../engine/engine';
import { ENGINE } from '../http/tokens';
import { CasePresenter } from './case-presenter';
import { renderPage, type PageName } from './web-views';
import type { WebSession } from './web-session';

@Injectable()
export class WebPages {
  readonly presenter: CasePresenter;

  constructor(@Inject(ENGINE) readonly engine: Engine) {
    this.presenter = new CasePresenter(engine);
  }

  async render(name: PageName, session: WebSession | undefined, title: string, current: string | undefined, data: Record<string, unknown>): Promise<string> {
    return renderPage(
      name,
      {
        title,
        current,
        actor: session?.actor,
        displayName: session ? (await this.engine.auth.displayNames([session.actor.id]))[session.actor.id] : undefined,
        csrf: session?.csrf,
        roleTitles: session ? await this.presenter.roleTitles() : {},
      },
      { ...data, csrf: session?.csrf ?? data.csrf },
    );
  }
}
