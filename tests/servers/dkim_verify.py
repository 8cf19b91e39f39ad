"""Verifies the DKIM signatures of email files with dkimpy, a verifier we
did not write, the public key given instead of looked up in DNS.

Usage: dkim_verify.py TXT_RECORD FILE...
  TXT_RECORD: the DNS TXT record's text ("v=DKIM1; k=rsa; p=...").
Prints one line per file: "pass FILE NAME" or "fail FILE NAME", NAME being
the DNS name the signature sends the verifier to. Exits 0 whatever the
verdicts, 2 on bad usage.
"""

import sys

import dkim


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    record = sys.argv[1].encode()
    asked = []

    def dns(name, timeout=5):
        asked.append(name.decode() if isinstance(name, bytes) else name)
        return record

    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            message = f.read()
        verdict = "pass" if dkim.verify(message, dnsfunc=dns) else "fail"
        print(f"{verdict} {path} {asked[-1] if asked else '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
