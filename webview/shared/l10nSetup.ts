// Gives @vscode/l10n the translations the host put in the page (src/vscode/webviewHtml.ts), so
// every `l10n.t()` in the view returns VS Code's display language. renderView imports this
// before any entry imports its App, so it runs before a view module could call `l10n.t()`.
// In English there is no data block and `l10n.t()` returns the source string.
import * as l10n from '@vscode/l10n';
import { L10N_BUNDLE_ELEMENT_ID } from '../../src/contracts/webviewPage';

const bundle = document.getElementById(L10N_BUNDLE_ELEMENT_ID)?.textContent;
if (bundle) l10n.config({ contents: bundle });
