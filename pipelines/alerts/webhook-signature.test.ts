import { signWebhook, verifyWebhook } from './webhook-signature';

describe('webhook signatures', () => {
  const body = '{"eventId":"7"}';
  it('verifies its own signature and refuses a changed body, another secret or an old timestamp', () => {
    const header = signWebhook('s3cret', body, 1_000_000);
    expect(verifyWebhook('s3cret', body, header, 300, 1_000_100)).toBe(true);
    expect(verifyWebhook('s3cret', `${body} `, header, 300, 1_000_100)).toBe(false);
    expect(verifyWebhook('other', body, header, 300, 1_000_100)).toBe(false);
    expect(verifyWebhook('s3cret', body, header, 300, 1_000_400)).toBe(false);
    expect(verifyWebhook('s3cret', body, 'garbage', 300, 1_000_000)).toBe(false);
  });
});
