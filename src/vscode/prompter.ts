import * as vscode from 'vscode';
import { SwitchboardError } from '../core/base/errors';
import type { Interactions } from '../core/base/ports';

export type ScriptedAnswer = string | boolean | undefined;

export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

/**
 * Every question Switchboard asks the person, in VS Code's own UI. In Test mode an
 * integration test may queue the answers (`api.testing.queueAnswers`) so commands run
 * without a person; with nothing queued the real UI opens.
 */
export class Prompter implements Interactions {
  private readonly scripted: ScriptedAnswer[] = [];
  /** The questions a queued answer answered, so a test sees what the person would have read. */
  readonly answeredQuestions: string[] = [];

  /** The notifications shown, so a test sees what the person would have read. */
  readonly notices: string[] = [];

  /** The quick picks a queued answer answered, with the items they offered, so a test sees what the person would have read. */
  readonly answeredPicks: { placeHolder: string; items: { label: string; description?: string }[] }[] = [];

  /**
   * A non-modal information message. Never answered from the queue: it does not wait for the
   * person, so a queued answer belongs to the question that comes next.
   */
  async notify(request: { message: string; actions: readonly string[] }): Promise<string | undefined> {
    this.notices.push(request.message);
    return vscode.window.showInformationMessage(request.message, ...request.actions);
  }

  queue(...answers: ScriptedAnswer[]): void {
    this.scripted.push(...answers);
  }

  /** Removes and returns the queued answers no question took. */
  drain(): ScriptedAnswer[] {
    return this.scripted.splice(0);
  }

  /** The next queued answer, for a prompt of another shape (the consent dialog); `question` is kept with it. */
  takeScripted(question?: string): { taken: true; answer: ScriptedAnswer } | { taken: false } {
    if (!this.scripted.length) return { taken: false };
    if (question !== undefined) this.answeredQuestions.push(question);
    return { taken: true, answer: this.scripted.shift() };
  }

  async pick<T>(items: PickItem<T>[], placeHolder: string): Promise<T | undefined> {
    if (this.scripted.length) {
      const answer = this.scripted.shift();
      this.answeredPicks.push({ placeHolder, items: items.map(({ label, description }) => ({ label, ...(description ? { description } : {}) })) });
      return items.find((item) => item.label === answer || String(item.value) === answer)?.value;
    }
    const chosen = await vscode.window.showQuickPick(items, { placeHolder, ignoreFocusOut: true, matchOnDescription: true });
    return chosen?.value;
  }

  /**
   * A multi-select quick pick; items with `picked` start checked. Enter, OK or the title's
   * `acceptLabel` button accepts. Undefined when the person cancels. A scripted answer is the
   * labels or values to check, one per line.
   */
  async pickMany<T>(items: PickItem<T>[], options: { title: string; placeHolder: string; acceptLabel: string }): Promise<T[] | undefined> {
    if (this.scripted.length) {
      const answer = asText(this.scripted.shift());
      if (answer === undefined) return undefined;
      const wanted = new Set(answer.split('\n').filter(Boolean));
      return items.filter((item) => wanted.has(item.label) || wanted.has(String(item.value))).map((item) => item.value);
    }
    const quickPick = vscode.window.createQuickPick<PickItem<T>>();
    quickPick.title = options.title;
    quickPick.placeholder = options.placeHolder;
    quickPick.canSelectMany = true;
    quickPick.ignoreFocusOut = true;
    quickPick.matchOnDescription = true;
    quickPick.matchOnDetail = true;
    quickPick.items = items;
    quickPick.selectedItems = items.filter((item) => item.picked);
    const accept: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('check'), tooltip: options.acceptLabel };
    quickPick.buttons = [accept];
    return new Promise<T[] | undefined>((resolve) => {
      let settled = false;
      const finish = (value: T[] | undefined) => {
        if (settled) return;
        settled = true;
        resolve(value);
        quickPick.dispose();
      };
      quickPick.onDidAccept(() => finish(quickPick.selectedItems.map((item) => item.value)));
      quickPick.onDidTriggerButton((button) => {
        if (button === accept) finish(quickPick.selectedItems.map((item) => item.value));
      });
      quickPick.onDidHide(() => finish(undefined));
      quickPick.show();
    });
  }

  async inputText(options: { title: string; prompt: string; value?: string; validate?: (value: string) => string | undefined }): Promise<string | undefined> {
    if (this.scripted.length) return asText(this.scripted.shift());
    return vscode.window.showInputBox({
      title: options.title,
      prompt: options.prompt,
      value: options.value ?? '',
      ignoreFocusOut: true,
      validateInput: options.validate,
    });
  }

  /** VS Code's password box (`password: true`): the key is typed here, never into a webview. */
  async inputSecret(options: { title: string; prompt: string }): Promise<string | undefined> {
    if (this.scripted.length) return asText(this.scripted.shift());
    const box = vscode.window.createInputBox();
    box.title = options.title;
    box.prompt = options.prompt;
    box.password = true;
    box.ignoreFocusOut = true;
    box.placeholder = vscode.l10n.t('Paste the API key');
    return new Promise<string | undefined>((resolve) => {
      let settled = false;
      const finish = (value: string | undefined) => {
        if (settled) return;
        settled = true;
        resolve(value);
        box.dispose();
      };
      box.onDidChangeValue((value) => {
        box.validationMessage = value.trim() ? undefined : vscode.l10n.t('Enter the key, or press Escape to cancel.');
      });
      box.onDidAccept(() => {
        if (box.value.trim()) finish(box.value);
        else box.validationMessage = vscode.l10n.t('Enter the key, or press Escape to cancel.');
      });
      box.onDidHide(() => finish(undefined));
      box.show();
    });
  }

  async confirm(request: { message: string; detail: string; confirmLabel: string }): Promise<boolean> {
    if (this.scripted.length) {
      const scripted = this.takeScripted(`${request.message}\n${request.detail}`);
      return scripted.taken && scripted.answer === true;
    }
    const choice = await vscode.window.showWarningMessage(request.message, { modal: true, detail: request.detail }, request.confirmLabel);
    return choice === request.confirmLabel;
  }

  /** A modal with one button per choice; Cancel (or Escape) gives undefined. A scripted answer is the choice's label. */
  async choose<C extends string>(request: { message: string; detail: string; choices: readonly C[] }): Promise<C | undefined> {
    if (this.scripted.length) {
      const scripted = this.takeScripted(`${request.message}\n${request.detail}`);
      return request.choices.find((choice) => scripted.taken && choice === scripted.answer);
    }
    return vscode.window.showWarningMessage(request.message, { modal: true, detail: request.detail }, ...request.choices);
  }

  async withProgress<T>(title: string, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      return task(controller.signal).finally(() => subscription.dispose());
    });
  }
}

function asText(answer: ScriptedAnswer): string | undefined {
  if (answer === undefined || typeof answer === 'string') return answer;
  throw new SwitchboardError('invalid_input', vscode.l10n.t('A scripted answer for a text prompt must be a string, not {0}.', String(answer)));
}
