'use strict';
/** A minimal keep-alive JSON client: cheaper per request than fetch, so the generator stays light. */
const http = require('node:http');

class JsonClient {
  constructor(baseUrl, maxSockets = 32) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  request(method, path, body, token) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = { accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    if (token) headers.authorization = `Bearer ${token}`;
    return new Promise((resolve, reject) => {
      const req = http.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json = null;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            json = { raw: text };
          }
          resolve({ status: res.statusCode, body: json, headers: res.headers });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  get(path, token) {
    return this.request('GET', path, undefined, token);
  }

  post(path, body, token) {
    return this.request('POST', path, body, token);
  }

  put(path, body, token) {
    return this.request('PUT', path, body, token);
  }

  close() {
    this.agent.destroy();
  }
}

/** Throws unless the response has the expected status. */
function expectStatus(res, ...statuses) {
  if (!statuses.includes(res.status)) throw new Error(`expected ${statuses.join('/')}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

module.exports = { JsonClient, expectStatus };
