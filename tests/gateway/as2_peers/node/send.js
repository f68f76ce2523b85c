// ACME played by libas2 (npm): compose a signed and encrypted AS2 message, POST it to edigate, and
// check the MDN with libas2's own parser and verifier. Used by tests/gateway/test_as2_libas2.py.
//
// Usage: node send.js <config.json>; prints one JSON object on stdout. The config names the URL, the
// AS2 ids, ACME's key pair, edigate's certificate (and key, only so that this peer can open its own
// message and compute the MIC it expects independently of edigate), the payload and the algorithms.
'use strict';

const fs = require('fs');
const http = require('http');
const { AS2Composer, AS2Crypto, AS2Disposition, AS2Parser } = require('libas2');

async function expectedMic(message, config) {
  // Open what we are about to send the way a receiver would: decrypt with edigate's key, then take the
  // digest libas2 signed over. That digest is the Received-content-MIC RFC 4130 §7.3.1 asks for.
  const signed = message.encrypted
    ? await AS2Crypto.decrypt(message, { cert: config.ourCertificate, key: config.ourKey })
    : message;
  const verified = await AS2Crypto.verify(signed, { cert: config.acmeCertificate }, true);
  return { mic: verified.digest.toString('base64'), algorithm: verified.algorithm };
}

function post(url, headers, body) {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(body, 'binary');
    const request = http.request(
      url,
      { method: 'POST', headers: { ...headers, 'Content-Length': String(data.length) } },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) })
        );
        response.on('error', reject);
      }
    );
    request.on('error', reject);
    request.end(data);
  });
}

async function main() {
  const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const composer = new AS2Composer({
    message: {
      filename: 'order.edi',
      contentType: 'application/EDIFACT',
      content: Buffer.from(config.payloadBase64, 'base64'),
    },
    agreement: {
      host: {
        name: 'ACME Retail',
        id: config.from,
        url: 'http://127.0.0.1/acme-as2',
        certificate: config.acmeCertificate,
        privateKey: config.acmeKey,
        sign: config.digest,
        mdn: { signing: config.digest },
      },
      partner: {
        name: 'edigate',
        id: config.to,
        url: config.url,
        file: 'EDIFACT',
        certificate: config.ourCertificate,
        encrypt: config.cipher || false,
        verify: true,
      },
    },
  });
  const message = await composer.compile();
  const expected = await expectedMic(message, config);
  const { headers, body } = await message.buildObject();
  const response = await post(config.url, headers, body);

  const out = {
    requestHeaders: headers,
    requestBodyBase64: Buffer.from(body, 'binary').toString('base64'),
    messageId: message.messageId(),
    expectedMic: expected,
    status: response.status,
    responseHeaders: response.headers,
    responseBodyBase64: response.body.toString('base64'),
  };
  const mdn = await AS2Parser.parse({ headers: response.headers, content: response.body });
  out.mdnSigned = Boolean(mdn.signed);
  // Throws unless the MDN's signature verifies with edigate's certificate.
  const disposition = await AS2Disposition.incoming(mdn, { cert: config.ourCertificate });
  out.mdnVerified = true;
  out.originalMessageId = disposition.notification.originalMessageId;
  out.disposition = disposition.notification.disposition;
  out.receivedContentMic = disposition.notification.receivedContentMic;
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
