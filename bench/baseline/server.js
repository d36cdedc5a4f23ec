// Baseline for the kring benchmark: the room server a team would otherwise write, on Node.js
// and the `ws` package. It speaks enough of the kring protocol for `kring-bench` to drive it
// the same way: create a session over HTTP, hello -> welcome, command -> event to every
// member (serialised once, the same Buffer to each socket) -> ack to the sender, resume with a
// replay of the last events. It keeps rooms in memory and has no rules beyond what the
// generator's commands need. Usage: node server.js --protocol N [--port 8090] [--host 127.0.0.1]
// (the generator passes kring's protocol version, so it is written down once, in protocol/).
'use strict';

const http = require('node:http');
const crypto = require('node:crypto');
const { WebSocketServer } = require('ws');

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const PORT = Number(arg('--port', '8090'));
const HOST = arg('--host', '127.0.0.1');
const PROTOCOL = Number(arg('--protocol', 'NaN'));
if (!Number.isInteger(PROTOCOL)) {
  console.error('usage: node server.js --protocol N [--port P] [--host H]');
  process.exit(64);
}
const REPLAY_FRAMES = 1024;
const HEARTBEAT_MS = 15000;

/** code -> room */
const rooms = new Map();

function token() {
  return crypto.randomBytes(16).toString('hex');
}

function newCode() {
  for (;;) {
    const raw = crypto.randomBytes(8).toString('base64url').replace(/[-_]/g, '').slice(0, 8);
    const code = raw.toUpperCase();
    if (code.length === 8 && !rooms.has(code)) return code;
  }
}

function newRoom(title) {
  return {
    title,
    facilitatorToken: token(),
    epoch: crypto.randomBytes(8).readUInt32BE(0),
    seq: 0,
    started: false,
    nextMember: 1,
    nextItem: 1,
    members: new Map(), // id -> {name, role, token}
    byToken: new Map(), // token -> id
    conns: new Map(), // member id -> ws
    items: new Map(), // id -> {votes, voters:Set}
    hands: new Set(),
    replay: [], // [seq, Buffer]
  };
}

function send(ws, obj) {
  ws.send(JSON.stringify(obj));
}

function broadcastBuf(room, buf) {
  for (const ws of room.conns.values()) {
    ws.send(buf, { binary: false });
  }
}

/** Records an event: sequenced, serialised once, kept for replay, sent to every member. */
function emit(room, event) {
  room.seq += 1;
  const frame = { type: 'event', seq: room.seq, at: Date.now(), event };
  const buf = Buffer.from(JSON.stringify(frame));
  room.replay.push([room.seq, buf]);
  if (room.replay.length > REPLAY_FRAMES) room.replay.shift();
  broadcastBuf(room, buf);
  return room.seq;
}

function presence(room, member, online) {
  broadcastBuf(room, Buffer.from(JSON.stringify({ type: 'presence', member, online })));
}

function view(room) {
  return {
    title: room.title,
    members: [...room.members.entries()].map(([id, m]) => ({ id, name: m.name, role: m.role })),
    items: room.items.size,
  };
}

function error(ws, id, code, message) {
  send(ws, { type: 'error', id, code, category: 'fix', message });
}

function join(ws, room, hello) {
  const j = hello.join || {};
  let member;
  let replayFrom = null;
  if (j.as === 'member' || j.as === 'facilitator') {
    if (j.as === 'facilitator' && j.token !== room.facilitatorToken) {
      error(ws, null, 'bad_token', 'bad token');
      ws.close(4401, 'bad_token');
      return null;
    }
    member = room.nextMember++;
    const role = j.as === 'facilitator' ? 'facilitator' : 'participant';
    const tok = j.as === 'facilitator' ? j.token : token();
    room.members.set(member, { name: String(j.name || ''), role, token: tok });
    room.byToken.set(tok, member);
    emit(room, { kind: 'member_joined', member: { id: member, name: String(j.name || ''), role } });
  } else if (j.as === 'resume') {
    member = room.byToken.get(j.token);
    if (member === undefined) {
      error(ws, null, 'bad_token', 'bad token');
      ws.close(4401, 'bad_token');
      return null;
    }
    const oldest = room.replay.length ? room.replay[0][0] : room.seq + 1;
    if (j.epoch === room.epoch && typeof j.last_seq === 'number' && j.last_seq <= room.seq && j.last_seq + 1 >= oldest) {
      replayFrom = j.last_seq;
    }
  } else {
    error(ws, null, 'bad_message', 'unsupported join');
    return null;
  }
  const old = room.conns.get(member);
  if (old) {
    room.conns.delete(member);
    old.close(4410, 'taken_over');
  } else {
    presence(room, member, true);
  }
  const m = room.members.get(member);
  send(ws, {
    type: 'welcome',
    protocol: PROTOCOL,
    member,
    role: m.role,
    resume_token: m.token,
    epoch: room.epoch,
    seq: room.seq,
    server_time: Date.now(),
    online: [...room.conns.keys()],
    view: replayFrom === null ? view(room) : null,
  });
  if (replayFrom !== null) {
    for (const [seq, buf] of room.replay) {
      if (seq > replayFrom) ws.send(buf, { binary: false });
    }
  }
  room.conns.set(member, ws);
  return member;
}

function command(ws, room, member, msg) {
  const id = msg.id;
  const c = msg.command || {};
  let seq;
  let item = null;
  switch (c.kind) {
    case 'start_session':
      if (room.started) return error(ws, id, 'already_started', 'already started');
      room.started = true;
      seq = emit(room, { kind: 'phase_changed', index: 0, phase_seq: 1, deadline: Date.now() + 4 * 3600 * 1000, round: [] });
      break;
    case 'submit': {
      if (typeof c.text !== 'string' || c.text.trim() === '') return error(ws, id, 'text_empty', 'text empty');
      item = room.nextItem++;
      room.items.set(item, { votes: 0, voters: new Set() });
      const at = Date.now();
      seq = emit(room, {
        kind: 'item_added',
        item: {
          id: item, kind: c.input, by: member, anonymous: false, text: c.text, phase: 0, phase_seq: 1, at,
          reply_to: null, votes: 0, status: 'open', temperature: 'none', reaction: 'none', hidden: false,
          kept: false, chosen: false, revealed: false,
        },
      });
      break;
    }
    case 'vote': {
      const it = room.items.get(c.item);
      if (!it) return error(ws, id, 'no_such_item', 'no such item');
      if (it.voters.has(member)) return error(ws, id, 'vote_limit', 'already voted');
      it.voters.add(member);
      it.votes += 1;
      seq = emit(room, { kind: 'item_voted', item: c.item, votes: it.votes, up: true });
      break;
    }
    case 'raise_hand':
      if (room.hands.has(member)) return error(ws, id, 'already_in_queue', 'hand raised');
      room.hands.add(member);
      seq = emit(room, { kind: 'hand_raised', member });
      break;
    case 'lower_hand':
      if (!room.hands.has(member)) return error(ws, id, 'not_in_queue', 'hand not raised');
      room.hands.delete(member);
      seq = emit(room, { kind: 'hand_lowered', member });
      break;
    default:
      return error(ws, id, 'bad_message', 'unsupported command');
  }
  send(ws, { type: 'ack', id, seq, item });
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  if (req.method === 'POST' && req.url === '/api/sessions') {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      let title = 'session';
      try {
        title = String(JSON.parse(body).title || title);
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"code":"invalid_request"}');
        return;
      }
      const code = newCode();
      const room = newRoom(title);
      rooms.set(code, room);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        code,
        join_url: `/join/${code}`,
        qr_url: `/join/${code}/qr.svg`,
        ws_path: `/ws/${code}`,
        facilitator_token: room.facilitatorToken,
        group_token: token(),
      }));
    });
    return;
  }
  res.writeHead(404);
  res.end();
});

const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });

server.on('upgrade', (req, socket, head) => {
  const m = /^\/ws\/([A-Za-z0-9-]+)$/.exec(req.url || '');
  const room = m && rooms.get(m[1].replace(/-/g, '').toUpperCase());
  if (!room) {
    socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => serve(ws, room));
});

function serve(ws, room) {
  let member = null;
  ws.isAlive = true;
  ws.on('pong', () => { ws.isAlive = true; });
  ws.on('message', (data, isBinary) => {
    ws.isAlive = true;
    let msg;
    try {
      msg = JSON.parse(isBinary ? data : data.toString());
    } catch {
      return error(ws, null, 'bad_json', 'bad json');
    }
    if (member === null) {
      if (msg.type !== 'hello' || msg.protocol !== PROTOCOL) {
        error(ws, null, 'hello_required', 'hello first');
        ws.close(4400, 'hello_required');
        return;
      }
      member = join(ws, room, msg);
      return;
    }
    if (msg.type === 'command') command(ws, room, member, msg);
    else if (msg.type === 'ping') send(ws, { type: 'pong', t: msg.t ?? null, server_time: Date.now() });
    else if (msg.type === 'leave') ws.close(1000);
    else error(ws, null, 'unknown_type', 'unknown type');
  });
  ws.on('close', () => {
    if (member !== null && room.conns.get(member) === ws) {
      room.conns.delete(member);
      presence(room, member, false);
    }
  });
  ws.on('error', () => {});
}

const heartbeat = setInterval(() => {
  for (const ws of wss.clients) {
    if (!ws.isAlive) {
      ws.terminate();
      continue;
    }
    ws.isAlive = false;
    ws.ping();
  }
}, HEARTBEAT_MS);

server.listen(PORT, HOST, () => {
  process.stderr.write(`baseline listening on ${HOST}:${PORT}\n`);
});

function stop() {
  clearInterval(heartbeat);
  for (const ws of wss.clients) ws.close(1012, 'shutting_down');
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
