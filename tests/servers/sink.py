"""An SMTP server for Jalon's delivery tests, built on aiosmtpd (which speaks
the protocol: EHLO/HELO, 8BITMIME, SMTPUTF8, SIZE, dot-stuffing, the RFC 5321
limit of 1000 bytes a line: "500 Line too long"); this file only configures
it, records what it accepts and injects failures.

Every accepted message is appended to --record as one JSON line, written and
flushed before the server answers 250, so an accepted message is always on
record:
    {"mail_from": str, "rcpt_tos": [str], "message_id": str | null,
     "received_at": float, "data": str, "data_encoding": "utf-8" | "latin-1"}
"data" is the whole message as received (headers and body, CRLF line ends,
dot-unstuffed); it is decoded as UTF-8, or as Latin-1 where it is not valid
UTF-8 (then "data_encoding" says so), so that each line stays valid JSON.

Failure injection:
    --tempfail-first N        451 at the end of DATA for the first N messages
                              (counted over all connections)
    --reject ADDRESS          550 at RCPT TO for that address (repeatable)
    --permfail-data-for ADDR  554 at the end of DATA when ADDR is a recipient
                              (repeatable)
    --mail-reply "CODE TEXT"  this answer to every MAIL FROM
    --rcpt-reply "CODE TEXT"  this answer to every RCPT TO
    --data-reply "CODE TEXT"  this answer at the end of every DATA
--starttls CERT KEY requires STARTTLS; --auth USER:PASSWORD requires AUTH.
--pipelining adds PIPELINING (RFC 2920) to the EHLO reply: aiosmtpd reads
commands from a buffered stream, one after the other, so it serves a client
that sends several at once as it serves one that waits for each reply.
Addresses compare case-insensitively. Rejected messages are not recorded.

Prints "ready PORT" on stdout once listening (--port 0: a free port chosen by
the system); stops on SIGTERM or SIGINT with exit status 0.
Run with the virtualenv that tests/servers/provision.sh makes:
    target/test-servers/venv/bin/python tests/servers/sink.py --record FILE
"""

import argparse
import asyncio
import email.parser
import email.policy
import json
import os
import signal
import ssl
import sys
import time

from aiosmtpd.smtp import SMTP, AuthResult


class Recorder:
    """aiosmtpd handler: decides each RCPT and DATA, records what it accepts."""

    def __init__(self, args):
        # One os.write per message on an O_APPEND descriptor: a reader never
        # sees half a line, and nothing sits in a Python buffer.
        self.record = os.open(args.record, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.tempfail_left = args.tempfail_first
        self.rejected = {a.lower() for a in args.reject}
        self.permfail = {a.lower() for a in args.permfail_data_for}
        self.mail_reply = args.mail_reply
        self.rcpt_reply = args.rcpt_reply
        self.data_reply = args.data_reply

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        if address.lower() in self.rejected:
            return "550 5.1.1 <%s>: no such user" % address
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        if self.tempfail_left > 0:
            self.tempfail_left -= 1
            return "451 4.3.0 try again later"
        if any(r.lower() in self.permfail for r in envelope.rcpt_tos):
            return "554 5.6.0 rejected"
        data = envelope.original_content
        if data is None:
            data = envelope.content
        if isinstance(data, str):
            text, encoding = data, "utf-8"
        else:
            try:
                text, encoding = data.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                text, encoding = data.decode("latin-1"), "latin-1"
        headers = email.parser.Parser(policy=email.policy.compat32).parsestr(
            text, headersonly=True
        )
        message_id = headers.get("Message-ID")
        line = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "message_id": None if message_id is None else " ".join(str(message_id).split()),
            "received_at": time.time(),
            "data": text,
            "data_encoding": encoding,
        }
        payload = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
        while payload:
            payload = payload[os.write(self.record, payload):]
        return "250 2.0.0 OK"


class PipeliningRecorder(Recorder):
    """A Recorder whose EHLO reply offers PIPELINING (aiosmtpd's EHLO hook)."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        # Before the last line ("250 HELP"), which ends the reply.
        return responses[:-1] + ["250-PIPELINING"] + responses[-1:]


async def serve(args):
    handler = PipeliningRecorder(args) if args.pipelining else Recorder(args)
    loop = asyncio.get_running_loop()
    security = {}
    if args.starttls:
        # STARTTLS required before MAIL, and before AUTH.
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.starttls)
        security.update(tls_context=context, require_starttls=True)
    if args.auth:
        user, _, password = args.auth.partition(":")

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == user.encode() and auth_data.password == password.encode()
            # handled=False: aiosmtpd answers 535 itself.
            return AuthResult(success=ok, handled=False)

        security.update(authenticator=authenticator, auth_required=True)
    server = await loop.create_server(
        lambda: SMTP(
            handler,
            hostname="jalon-test-sink",  # not socket.getfqdn(): no DNS look-up
            data_size_limit=args.data_size_limit,
            enable_SMTPUTF8=True,
            decode_data=False,
            loop=loop,
            **security,
        ),
        host=args.host,
        port=args.port,
        reuse_address=True,
    )
    port = server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("ready %d" % port, flush=True)
    await stop.wait()
    server.close()
    os.close(handler.record)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--record", required=True, help="JSON-lines file to append to")
    parser.add_argument("--tempfail-first", type=int, default=0, metavar="N")
    parser.add_argument("--reject", action="append", default=[], metavar="ADDRESS")
    parser.add_argument("--permfail-data-for", action="append", default=[], metavar="ADDRESS")
    parser.add_argument("--mail-reply", metavar='"CODE TEXT"')
    parser.add_argument("--rcpt-reply", metavar='"CODE TEXT"')
    parser.add_argument("--data-reply", metavar='"CODE TEXT"')
    parser.add_argument(
        "--starttls", nargs=2, metavar=("CERT", "KEY"), help="require STARTTLS with this PEM pair"
    )
    parser.add_argument("--auth", metavar="USER:PASSWORD", help="require AUTH PLAIN/LOGIN")
    parser.add_argument("--pipelining", action="store_true", help="offer PIPELINING in EHLO")
    parser.add_argument(
        "--data-size-limit", type=int, default=64 * 1024 * 1024, help="bytes (0: none)"
    )
    args = parser.parse_args()
    try:
        asyncio.run(serve(args))
    except OSError as error:  # e.g. the port is taken
        print("sink.py: %s" % error, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
