"""Token-bucket rate limits, kept in memory per process (one bucket per API key or IP address)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict


class RateLimiter:
    """``per_minute`` requests a minute on average, bursts up to the same number; the least recently seen
    buckets are dropped beyond ``max_buckets`` so memory stays bounded under address scans."""

    def __init__(self, max_buckets: int = 100_000, clock=time.monotonic) -> None:
        self.max_buckets = max_buckets
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str, per_minute: int) -> float:
        """Spend one token; returns 0 when allowed, else the seconds until a token is back."""
        rate = per_minute / 60.0
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.pop(key, (float(per_minute), now))
            tokens = min(float(per_minute), tokens + (now - at) * rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1 - tokens) / rate
            while len(self._buckets) > self.max_buckets:
                self._buckets.popitem(last=False)
        return wait
