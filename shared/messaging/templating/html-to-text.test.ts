import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText } from './html-to-text.ts';

describe('htmlToText', () => {
  it('writes links as "text (url)" and a bare URL once', () => {
    const html =
      '<p>See <a href="https://shop.test/cart">your cart</a> or <a href="https://shop.test">https://shop.test</a>.</p>';

    expect(htmlToText(html)).toBe('See your cart (https://shop.test/cart) or https://shop.test.');
  });

  it('uses the alt text of a linked image and drops same-page anchors', () => {
    const html = '<a href="https://shop.test"><img src="logo.png" alt="The Shop"></a> <a href="#top">Top</a>';

    expect(htmlToText(html)).toBe('The Shop (https://shop.test) Top');
  });

  it('drops the head, Outlook conditional comments and hidden preview text', () => {
    const html = [
      '<!doctype html><html><head><title>T</title><style>p{color:red}</style></head><body>',
      '<div style="display:none;max-height:0">Preview text</div>',
      '<!--[if mso | IE]><table role="presentation"><tr><td>Outlook only<![endif]-->',
      '<div><p>Visible</p></div>',
      '</body></html>',
    ].join('\n');

    expect(htmlToText(html)).toBe('Visible');
  });

  it('breaks lines at blocks and <br>, sets paragraphs and table rows apart, collapses spaces', () => {
    const html =
      '<div>  Line   one<br/>Line two</div><div><b>Bold</b></div><table><tr><td>Row</td></tr></table><p>Para</p>';

    expect(htmlToText(html)).toBe('Line one\nLine two\nBold\n\nRow\n\nPara');
  });

  it('lists items with dashes', () => {
    expect(htmlToText('<ul><li>One</li><li>Two</li></ul>')).toBe('- One\n- Two');
  });

  it('decodes character references', () => {
    expect(htmlToText('<p>Fish &amp; chips &lt;3 &#233;t&#xE9; &nbsp;&rsquo;</p>')).toBe('Fish & chips <3 été ’');
    expect(decodeEntities('&unknown; &#0;')).toBe('&unknown; &#0;');
  });
});
