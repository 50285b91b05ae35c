// The floor for start-up: a bare Node HTTP server answering /healthz, started the way `npm start` starts the bot.
// `npm run bench` times both to their first 200 in the same run (bench/startup.ts).
const http = require('node:http');

http.createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'application/json' });
  res.end('{"status":"ok"}');
}).listen(Number(process.env.PORT), '127.0.0.1');
