"""An SMTP server for Jalon's delivery tests, built on aiosmtpd (which speaks
the protocol; this file only records and injects failures).

Every accepted message is appended to --record as one JSON line, written
before the server answers 250, so an accepted message is always on record:
    {"mail_from", "rcpt_tos", "message_id", "received_at", "data"}
Failure injection:
    --tempfail-first N        451 at the end of DATA for the first N messages
    --reject ADDRESS          550 at RCPT TO for that address (repeatable)
    --permfail-data-for ADDR  554 at the end of DATA when ADDR is a recipient
Prints "ready PORT" once listening; stops on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import email.parser
import email.policy
import json
import signal
import socket
import time

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, args):
        self.record = open(args.record, "a", encoding="utf-8")
        self.tempfail_left = args.tempfail_first
        self.rejected = {a.lower() for a in args.reject}
        self.permfail = {a.lower() for a in args.permfail_data_for}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejected:
            return "550 5.1.1 <%s>: no such user" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.tempfail_left > 0:
            self.tempfail_left -= 1
            return "451 4.3.0 try again later"
        if any(r.lower() in self.permfail for r in envelope.rcpt_tos):
            return "554 5.6.0 message rejected"
        data = envelope.original_content or envelope.content
        text = data.decode("utf-8", "surrogateescape") if isinstance(data, bytes) else data
        headers = email.parser.Parser(policy=email.policy.compat32).parsestr(text, headersonly=True)
        line = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "message_id": headers.get("Message-ID"),
            "received_at": time.time(),
            "data": text,
        }
        self.record.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
        self.record.flush()
        return "250 2.0.0 OK"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record", required=True)
    parser.add_argument("--tempfail-first", type=int, default=0)
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--permfail-data-for", action="append", default=[])
    args = parser.parse_args()

    port = args.port
    if port == 0:
        with socket.socket() as probe:
            probe.bind((args.host, 0))
            port = probe.getsockname()[1]
    controller = Controller(
        Recorder(args),
        hostname=args.host,
        port=port,
        enable_SMTPUTF8=True,
        data_size_limit=50 * 1024 * 1024,
        decode_data=False,
    )
    controller.start()
    print("ready %d" % port, flush=True)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
