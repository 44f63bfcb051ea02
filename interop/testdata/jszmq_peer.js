// jszmq_peer.js runs one jszmq socket for the ZWS interop tests
// (ws_jszmq_test.go), driven over its standard streams:
//
//   node jszmq_peer.js TYPE bind PATH        binds on a free loopback port
//   node jszmq_peer.js TYPE connect URL      connects to URL
//
// with the environment variable JSZMQ_ID, when set, as its routing id.
// Each line on standard input is a JSON command: {"send": [frames]},
// {"subscribe": topic}; frames are base64. Each line on standard output
// is a JSON event: {"bound": url}, {"ready": true}, {"msg": [frames]},
// {"error": text}. The socket closes and the process ends when standard
// input does.
'use strict';

const http = require('http');
const readline = require('readline');
const zmq = require('jszmq');

const [type, mode, where] = process.argv.slice(2);

function emit(event) {
    process.stdout.write(JSON.stringify(event) + '\n');
}

let sock;
let server;
try {
    sock = zmq.socket(type);
    if (process.env.JSZMQ_ID) {
        sock.options.routingId = process.env.JSZMQ_ID;
    }
    sock.on('message', (...frames) => emit({msg: frames.map(f => Buffer.from(f).toString('base64'))}));
} catch (e) {
    emit({error: String(e)});
    process.exit(1);
}

if (mode === 'bind') {
    server = http.createServer();
    server.listen(0, '127.0.0.1', () => {
        const url = 'ws://127.0.0.1:' + server.address().port + where;
        sock.bind(url, server);
        emit({bound: url});
    });
} else {
    sock.connect(where);
    emit({ready: true});
}

const lines = readline.createInterface({input: process.stdin});
lines.on('line', line => {
    try {
        const cmd = JSON.parse(line);
        if (cmd.send) {
            sock.send(cmd.send.map(f => Buffer.from(f, 'base64')));
        } else if (cmd.subscribe !== undefined) {
            sock.subscribe(cmd.subscribe);
        }
    } catch (e) {
        emit({error: String(e)});
    }
});
lines.on('close', () => {
    sock.close();
    if (server) {
        server.close();
    }
    process.exit(0);
});
