// One table of error kinds (src/core/toolcall/errorKinds.ts) for every view: each kind has a label,
// a description and a colour per theme; the colours are pairwise distinct for normal vision and
// stay distinguishable under simulated protanopia, deuteranopia and tritanopia (Machado et al.
// 2009, CIEDE2000 between every pair); each has at least 3:1 contrast (WCAG 2, graphics) against the
// editor backgrounds of VS Code's default light and dark themes; and no other file keeps a copy of
// the table (issue 17: "the error-kind table exists three times").
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ERROR_KIND_INFO, KIND_LABEL, kindLabel, kindStyleSheet, kindVariable } from '../../src/core/toolcall/errorKinds';
import { ERROR_KINDS } from '../../src/core/toolcall/types';
import { DEFICIENCIES, MACHADO, contrast, deltaE2000, deltaE76, lab, minDeltaE } from '../support/colourVision';

const ROOT = resolve(__dirname, '..', '..');
const THEMES = ['light', 'dark'] as const;
/** Editor backgrounds: Light Modern / Light+ (and their panels), Dark Modern, Dark+, high contrast. */
const BACKGROUNDS = { light: ['#ffffff', '#f8f8f8'], dark: ['#1f1f1f', '#1e1e1e', '#181818', '#000000'] };
/** Least CIEDE2000 between two kinds' colours as a dichromat sees them (≈ 10: clearly different at a glance). */
const MIN_DE_SIMULATED = 10;
/** Least CIEDE2000 for normal colour vision. */
const MIN_DE_NORMAL = 15;
/** WCAG 2 non-text contrast (underlines, swatches, bars). */
const MIN_CONTRAST = 3;

const colours = (theme: (typeof THEMES)[number]) => ERROR_KINDS.map((k) => ERROR_KIND_INFO[k].colour[theme]);
const name = (theme: (typeof THEMES)[number], i: number) => `${ERROR_KINDS[i]} ${colours(theme)[i]}`;

describe('error kinds: one table', () => {
  it('has an entry for every ErrorKind and nothing else: a label, a description, a colour per theme', () => {
    assert.deepEqual(Object.keys(ERROR_KIND_INFO).sort(), [...ERROR_KINDS].sort());
    for (const k of ERROR_KINDS) {
      const info = ERROR_KIND_INFO[k];
      assert.ok(info.label.trim() && !info.label.includes('_'), `${k}: a readable label`);
      assert.ok(info.description.trim(), `${k}: a description`);
      for (const t of THEMES) assert.match(info.colour[t], /^#[0-9a-f]{6}$/, `${k}: ${t} colour is #rrggbb`);
      assert.equal(KIND_LABEL[k], info.label);
      assert.equal(kindLabel(k), info.label);
    }
    assert.equal(new Set(ERROR_KINDS.map((k) => ERROR_KIND_INFO[k].label)).size, ERROR_KINDS.length, 'labels are distinct');
    assert.equal(kindLabel('some_future_kind'), 'some future kind', 'an unknown kind is shown as written');
  });

  it('the webviews\' stylesheet holds every kind\'s colours for both themes and maps data-kind to --kind', () => {
    const css = kindStyleSheet();
    for (const k of ERROR_KINDS) {
      assert.ok(css.includes(`${kindVariable(k)}: ${ERROR_KIND_INFO[k].colour.dark};`), `${k} dark`);
      assert.ok(css.includes(`${kindVariable(k)}: ${ERROR_KIND_INFO[k].colour.light};`), `${k} light`);
      assert.ok(css.includes(`[data-kind="${k}"] { --kind: var(${kindVariable(k)}); }`), `${k} data-kind rule`);
    }
    assert.match(css, /body\.vscode-light, body\.vscode-high-contrast-light \{/);
  });

  it('no other source keeps its own copy of the kind table (labels, colours, per-kind CSS)', () => {
    const files = ['src', 'webview', 'media'].flatMap((dir) =>
      readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && /\.(ts|css)$/.test(e.name))
        .map((e) => relative(ROOT, join(e.parentPath, e.name)).split('\\').join('/')),
    );
    const copies = files
      .filter((f) => f !== 'src/core/toolcall/errorKinds.ts')
      .flatMap((f) => {
        // Comments may name kinds ("// wrong_function: the span is …"): only code counts.
        const text = readFileSync(join(ROOT, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
        // A kind as an object key, a per-kind CSS custom property, or a per-kind CSS class rule.
        const keyed = ERROR_KINDS.filter((k) => new RegExp(`(^|[\\s{,])${k}\\s*:`, 'm').test(text) || new RegExp(`-${k.replace(/_/g, '-')}\\s*:`).test(text) || new RegExp(`\\.(err|kind)-${k}\\b`).test(text));
        return keyed.length >= 3 ? [`${f} (${keyed.join(', ')})`] : [];
      });
    assert.deepEqual(copies, []);
  });
});

describe('error kinds: colours', () => {
  it('the colour maths: CIEDE2000 matches Sharma, Wu & Dalal (2005); the Machado matrices keep greys grey', () => {
    const pairs: [number[], number[], number][] = [
      [[50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425],
      [[50, 3.1571, -77.2803], [50, 0, -82.7485], 2.8615],
      [[50, 2.8361, -74.02], [50, 0, -82.7485], 3.4412],
      [[50, -1.3802, -84.2814], [50, 0, -82.7485], 1.0],
      [[50, 2.5, 0], [73, 25, -18], 27.1492],
      [[50, 2.5, 0], [61, -5, 29], 22.8977],
      [[50, 2.5, 0], [56, -27, -3], 31.903],
      [[50, 2.5, 0], [58, 24, 15], 19.4535],
    ];
    for (const [a, b, want] of pairs) assert.ok(Math.abs(deltaE2000(a as [number, number, number], b as [number, number, number]) - want) < 5e-5, `${a} / ${b}: ${want}`);
    for (const d of DEFICIENCIES) for (const row of MACHADO[d]) assert.ok(Math.abs(row[0] + row[1] + row[2] - 1) < 2e-3, `${d}: rows sum to 1`);
    assert.ok(deltaE76(lab('#808080', 'deuteranopia'), lab('#808080')) < 0.5, 'grey is grey to a deuteranope');
    assert.ok(deltaE2000(lab('#ff0000', 'deuteranopia'), lab('#00a000', 'deuteranopia')) < deltaE2000(lab('#ff0000'), lab('#00a000')) / 3, 'red and green close up for a deuteranope');
  });

  for (const theme of THEMES) {
    it(`${theme} theme: pairwise distinct for normal vision (CIEDE2000 ≥ ${MIN_DE_NORMAL})`, (t) => {
      const m = minDeltaE(colours(theme), null);
      t.diagnostic(`${theme}, normal vision: least ΔE2000 ${m.value.toFixed(2)} (${name(theme, m.pair[0])} / ${name(theme, m.pair[1])})`);
      assert.equal(new Set(colours(theme)).size, ERROR_KINDS.length);
      assert.ok(m.value >= MIN_DE_NORMAL, `${name(theme, m.pair[0])} and ${name(theme, m.pair[1])} are only ΔE2000 ${m.value.toFixed(2)} apart`);
    });

    for (const d of DEFICIENCIES) {
      it(`${theme} theme: distinguishable under simulated ${d} (CIEDE2000 ≥ ${MIN_DE_SIMULATED} between every pair)`, (t) => {
        const m = minDeltaE(colours(theme), d);
        const labs = colours(theme).map((h) => lab(h, d));
        let least76 = Infinity;
        for (let i = 0; i < labs.length; i++) for (let j = i + 1; j < labs.length; j++) least76 = Math.min(least76, deltaE76(labs[i], labs[j]));
        t.diagnostic(`${theme}, ${d}: least ΔE2000 ${m.value.toFixed(2)} (${name(theme, m.pair[0])} / ${name(theme, m.pair[1])}), least ΔE76 ${least76.toFixed(2)}`);
        assert.ok(m.value >= MIN_DE_SIMULATED, `under ${d}, ${name(theme, m.pair[0])} and ${name(theme, m.pair[1])} are only ΔE2000 ${m.value.toFixed(2)} apart`);
      });
    }

    it(`${theme} theme: every colour has ≥ ${MIN_CONTRAST}:1 contrast against the ${theme} editor backgrounds`, (t) => {
      let least = Infinity;
      for (const k of ERROR_KINDS) {
        for (const bg of BACKGROUNDS[theme]) {
          const c = contrast(ERROR_KIND_INFO[k].colour[theme], bg);
          least = Math.min(least, c);
          assert.ok(c >= MIN_CONTRAST, `${k} ${ERROR_KIND_INFO[k].colour[theme]} on ${bg}: ${c.toFixed(2)}:1`);
        }
      }
      t.diagnostic(`${theme}: least contrast ${least.toFixed(2)}:1 against ${BACKGROUNDS[theme].join(', ')}`);
    });
  }
});
