"""`mlaas worker` whose async scoring first holds the task (up to SLOW_SCORING_S seconds), so
a fault test can kill it mid-task: `python -m tests.faults.slow_worker worker --hostname=...`."""

from __future__ import annotations

import os
import threading
from typing import Any

import mlaas.serving.batch as batch
from mlaas.cli import main

_score_records = batch.score_records


def slow_score_records(*args: Any, **kwargs: Any) -> Any:
    threading.Event().wait(float(os.environ["SLOW_SCORING_S"]))  # until the test kills us
    return _score_records(*args, **kwargs)


batch.score_records = slow_score_records  # the task imports it when it runs

if __name__ == "__main__":
    main()
