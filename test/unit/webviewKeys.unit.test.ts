import * as assert from 'node:assert/strict';
import { escapeClosesForm } from '../../webview/shared/keys';

describe('webview keys: Escape in a form', () => {
  it('closes the form from a text field, a button or a closed select', () => {
    assert.equal(escapeClosesForm({ tagName: 'VSCODE-TEXTFIELD' }), true);
    assert.equal(escapeClosesForm({ tagName: 'VSCODE-BUTTON' }), true);
    assert.equal(escapeClosesForm({ tagName: 'VSCODE-SINGLE-SELECT', open: false }), true);
    assert.equal(escapeClosesForm({ tagName: 'vscode-multi-select', open: false }), true);
    assert.equal(escapeClosesForm(undefined), true);
  });

  it('leaves Escape to a select whose dropdown is open', () => {
    assert.equal(escapeClosesForm({ tagName: 'VSCODE-SINGLE-SELECT', open: true }), false);
    assert.equal(escapeClosesForm({ tagName: 'vscode-multi-select', open: true }), false);
  });
});
