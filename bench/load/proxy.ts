import http from 'node:http';

/**
 * The load balancer in front of the replicas for `npm run load`: plain round robin over
 * keep-alive connections. Hand-written on node:http because a bench needs nothing a library
 * would add (health checks, retry policies, TLS, weights), and a dependency for a few dozen lines
 * is one more thing to keep up to date; production uses a real balancer (docs/deploying.md).
 *
 * Run as its own process (`node proxy.js <port> <target URL>...`) so that it does not share an
 * event loop with autocannon: like a real balancer, it costs CPU of its own.
 */
export function startRoundRobinProxy(port: number, targets: URL[]): Promise<http.Server> {
  // Upstream connections are kept open and reused, as a balancer does; a new TCP connection per
  // request would measure connection set-up, not the replicas.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let next = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => forward(request, response, Buffer.concat(chunks), true));
  });
  const forward = (
    request: http.IncomingMessage,
    response: http.ServerResponse,
    body: Buffer,
    mayRetry: boolean,
  ) => {
    const target = targets[next++ % targets.length];
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
        agent,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive connection the replica closed just as it was reused: the request never
      // reached it, so sending it once more is safe (the race Node's http docs describe).
      if (mayRetry && upstream.reusedSocket && error.code === 'ECONNRESET') {
        forward(request, response, body, false);
      } else {
        if (!response.headersSent) response.writeHead(502);
        response.end();
      }
    });
    upstream.end(body);
  };
  // Longer than autocannon's idle gaps, so client connections stay open through a run.
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (require.main === module) {
  const [port, ...targets] = process.argv.slice(2);
  void startRoundRobinProxy(
    Number(port),
    targets.map((t) => new URL(t)),
  ).then(() => process.send?.('ready'));
}
