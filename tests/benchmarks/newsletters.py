"""A 10,000-recipient digest (part of `make bench`): made from the sample site, rendered and
handed to a real SMTP server on 127.0.0.1 by `syndication newsletter send`, beside the same
number of one pre-rendered message sent by Python's smtplib over one connection (what
handing mail to a relay costs at the least).

    python -m tests.benchmarks.newsletters [--recipients 10000]

`send_rate` is lifted for the run: its default (20 a second) is a relay's limit, not ours.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from syndication.archive import newsletters as store
from syndication.archive.lock import open_appender
from syndication.archive.schema import transaction
from syndication.clock import Clock
from tests.conftest import article_text
from tests.live import REPO, syndication
from tests.smtp import smtp_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    count = parser.parse_args().recipients
    with tempfile.TemporaryDirectory() as folder, smtp_server() as (inbox, port):
        work = Path(folder)
        shutil.copytree(REPO / "content", work / "content")
        env = {
            "SYNDICATION_SMTP_HOST": "127.0.0.1",
            "SYNDICATION_SMTP_PORT": str(port),
            "SYNDICATION_SMTP_SECURITY": "none",
            "SYNDICATION_SEND_RATE": "1000000",
            "SYNDICATION_BASE_URL": "https://news.test",
        }
        assert syndication("ingest", cwd=work, env=env).returncode == 0
        clock = Clock()
        conn = open_appender(work / "syndication.db", clock)
        try:
            with transaction(conn):
                for n in range(count):
                    (signup,) = store.request_subscription(
                        conn, f"reader{n}@example.org", "en", ["en@18:00"], "bench", clock.now(), 3
                    )
                    store.confirm(conn, signup.subscriber.id, signup.asked, clock.now())
        finally:
            conn.close()
        for n in range(12):  # a digest of a dozen stories
            (work / "content" / "world" / f"bench-{n}.md").write_text(
                article_text(f"Story {n} of the evening digest", published=clock.now().isoformat()),
                encoding="utf-8",
            )
        assert syndication("ingest", cwd=work, env=env).returncode == 0
        command = [sys.executable, "-m", "syndication", "newsletter", "send", "en@18:00", "--now"]
        command += ["--config", str(REPO / "syndication.toml")]
        started = time.perf_counter()
        subprocess.run(
            command, cwd=work, env={**os.environ, **env}, check=True, capture_output=True
        )
        ours = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        sent = len(inbox.mails)
        one = inbox.mails[0].raw if sent else b""
        size = len(one)
        inbox.mails.clear()
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as client:
            for n in range(count):
                client.sendmail("newsletters@news.test", [f"reader{n}@example.org"], one)
        reference = time.perf_counter() - started
    print(
        f"newsletter: a digest of 12 stories ({size:,} bytes a mail) to {sent:,} of {count:,} "
        f"recipients in {ours:.1f} s = {sent / ours:,.0f} recipients/s (making the digest, "
        f"the delivery log, each recipient's mail), peak RSS of the command {peak_mb:,.0f} MB; "
        f"smtplib sending one ready message {count:,} times: {count / reference:,.0f}/s; "
        f"ratio ours/smtplib = {(sent / ours) / (count / reference):.2f}"
    )


if __name__ == "__main__":
    main()
