"""A course's progress for the hub's page (POST /services/grader/progress).

The gradebook is in the course's volume, which only trainers' servers and
the grader's throwaway containers mount (never the hub). A job of the
learner image reads it with nbgrader's API (progress_job.py, sent in with
the request), read-only, without network, and prints the summary.

A class of 50 opening the page at once must not start 50 containers: each
course's summary is kept for FRESH_SECONDS and made once at a time (the
others wait for it). Made with a chart or without: separate entries. At
most JOBS_AT_ONCE jobs run at a time, for all courses and wordings together.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import docker

from . import exchange

FRESH_SECONDS = 20.0
JOBS_AT_ONCE = 2
JOB = Path(__file__).with_name("progress_job.py")
# The chart's words, from the hub's page (its language): only these keys,
# short plain texts.
CHART_WORDS = ("title", "submitted", "mean", "axis", "empty")
MAX_WORD_LENGTH = 120


def chart_words(value) -> dict[str, str] | None:
    """The chart's words of a request, or None for no chart; ValueError names
    what is wrong."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != set(CHART_WORDS):
        raise ValueError(f"chart must be null or an object with exactly {', '.join(CHART_WORDS)}")
    for key, text in value.items():
        if not isinstance(text, str) or len(text) > MAX_WORD_LENGTH or not text.isprintable():
            raise ValueError(f"chart.{key} must be a line of text of at most {MAX_WORD_LENGTH} characters")
    return value


class Summaries:
    """One summary per course, kept FRESH_SECONDS for the same learners and
    chart words. Per course, not per wording: a caller who varies the words
    re-makes only her own course's summary, one job at a time, and the
    locks are as many as the courses."""

    def __init__(self, fresh_seconds: float = FRESH_SECONDS, jobs_at_once: int = JOBS_AT_ONCE,
                 clock=time.monotonic):
        self.fresh_seconds, self.clock = fresh_seconds, clock
        self.kept: dict[str, tuple[float, tuple, dict]] = {}
        self.making: dict[str, asyncio.Lock] = {}
        self.jobs = asyncio.Semaphore(jobs_at_once)

    async def get(self, key: tuple, make) -> dict:
        """key is (course, what else the summary depends on)."""
        course = key[0]
        async with self.making.setdefault(course, asyncio.Lock()):
            made, kept_key, summary = self.kept.get(course, (float("-inf"), None, None))
            if kept_key != key or self.clock() - made >= self.fresh_seconds:
                async with self.jobs:
                    summary = await make()
                self.kept[course] = (self.clock(), key, summary)
            return summary


def read_progress(client: docker.DockerClient, image: str, project: str, course: dict,
                  words: dict | None, labels: dict[str, str]) -> dict:
    name = course["course"]
    learners = sorted(course["learners"])
    request = {"course": name, "learners": learners, "chart": words,
               "full_names": {n: (course.get("full_names") or {}).get(n) for n in learners}}
    volume = f"{project}-course-{name}"
    try:
        client.volumes.get(volume)
    except docker.errors.NotFound:
        # No trainer's server has started yet: mounting the name would make
        # the volume, outside the course's setup. Nothing to read either.
        volume = None
    return exchange.run_job(
        client, image, None, [],
        {volume: {"bind": "/course", "mode": "ro"}} if volume else {},
        labels, "progress", input_json=request, script=JOB.read_bytes(),
        # Root in the job only to read the trainers' files; it writes nothing.
        capabilities=("DAC_READ_SEARCH",))


def for_learner(summary: dict, name: str) -> dict:
    """What a learner sees: her own row, the assignments without the class's
    numbers (in a small class, a mean and her own score give away another's)."""
    private = ("submitted", "mean_percent")
    return {**summary, "chart": None, "class_size": None,
            "assignments": [{k: v for k, v in a.items() if k not in private}
                            for a in summary["assignments"]],
            "learners": [row for row in summary["learners"] if row["name"] == name]}
