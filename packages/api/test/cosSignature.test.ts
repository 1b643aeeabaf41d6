import COS from 'cos-nodejs-sdk-v5';
import { describe, expect, it } from 'vitest';
import { TencentError } from '../src/dialects/tencent/tencentErrors.ts';
import { assertLive, cosSignature, parseCosAuthorization, verifyCosSignature } from '../src/dialects/tencent/cosSignature.ts';

const keys = { SecretId: 'AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q', SecretKey: 'BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz' };
const KeyTime = '1557989151;1557996351';

/** Requests whose encodings differ: reserved and unicode characters, upper-case keys, signed headers. */
const REQUESTS = [
  { Method: 'GET', Key: 'workflowexecution', Query: {}, Headers: { host: 'examplebucket-1250000000.ci.ap-beijing.myqcloud.com' } },
  {
    Method: 'GET',
    Key: 'workflowexecution',
    Query: { workflowId: 'w' + 'a'.repeat(32), name: 'wk-test/game (1)!*.mp4', states: 'Running,Failed', startCreationTime: '2022-08-09T14:54:17+08:00' },
    Headers: { Host: '127.0.0.1:8080', 'Content-Type': 'application/xml', 'x-ci-trace': "it's" },
  },
  { Method: 'POST', Key: 'triggerworkflow', Query: { workflowId: 'w0', object: '视频/测试 文件~.mp4', Size: '10' }, Headers: { 'content-length': '0' } },
  { Method: 'GET', Key: 'workflowexecution/i166ee19017b011eda8a5525400c540df', Query: { 'x-extra': '' }, Headers: {} },
];

function signedRequest(r: (typeof REQUESTS)[number]) {
  const headers = Object.fromEntries(Object.entries(r.Headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: r.Method, path: `/${r.Key}`, query: new Map(Object.entries(r.Query)), headers };
}

describe('COS signature v5', () => {
  it('computes the signature cos-nodejs-sdk-v5 computes, for every encoding case', () => {
    for (const request of REQUESTS) {
      const auth = parseCosAuthorization(COS.getAuthorization({ ...keys, ...request, Method: request.Method as 'GET', KeyTime }));
      expect(cosSignature(keys.SecretKey, auth, signedRequest(request)), request.Key).toBe(auth.signature);
    }
  });

  it('refuses a changed value, an unsigned parameter and another key', () => {
    const request = REQUESTS[1]!;
    const auth = parseCosAuthorization(COS.getAuthorization({ ...keys, ...request, Method: 'GET', KeyTime }));
    const now = 1557989200;
    expect(() => verifyCosSignature(keys.SecretKey, auth, signedRequest(request), now)).not.toThrow();
    const changed = signedRequest(request);
    changed.query.set('name', 'other.mp4');
    const unsigned = signedRequest(request);
    unsigned.query.set('size', '100');
    for (const [secret, req] of [
      [keys.SecretKey, changed],
      [keys.SecretKey, unsigned],
      ['x'.repeat(32), signedRequest(request)],
    ] as const) {
      expect(() => verifyCosSignature(secret, auth, req, now)).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch' }));
    }
  });

  it('accepts a sign time holding now (60 s skew ahead) and refuses one that lapsed or has not begun', () => {
    expect(() => assertLive('100;200', 150)).not.toThrow();
    expect(() => assertLive('100;200', 41)).not.toThrow();
    for (const [window, now] of [['100;200', 201], ['100;200', 39], ['200;100', 150], ['abc', 150]] as const) {
      expect(() => assertLive(window, now)).toThrow(TencentError);
    }
  });
});
