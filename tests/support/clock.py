"""A clock the test moves by hand, for code that takes `clock=` instead of
reading time.monotonic itself: the arithmetic is checked without sleeping."""


class Clock:
    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self):
        return self.now
