"""The schedule, read by exactly one `rq cron dwgk.cron_config` process (`make run` starts
it; see README "Deployment"). rq 3 runs an interval job at every start of `rq cron` and
does not make up missed runs: every job here is idempotent, so that is harmless."""
from rq import cron

from dwgk.jobs import housekeeping

QUEUE = "dwgk"

# Every 10 minutes: ended publicity periods are archived and due or overdue duties notified
# (the reminder sweep) within minutes.
cron.register(housekeeping, QUEUE, interval=600, name="housekeeping")
