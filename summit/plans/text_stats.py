"""Most frequent words and two-word phrases in free text, without stop words (pure Python)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

STOP_WORDS = frozenset("""
a about above after again against all also am an and any are aren't as at be because been
before being below between both but by can can't cannot could couldn't did didn't do does
doesn't doing don't down during each etc few for from further get gets getting go going had
hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him
himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's
like make me more most much must mustn't my myself need needs no nor not now of off on once
one only or other ought our ours ourselves out over own really same shan't she she'd she'll
she's should shouldn't so some such take than that that's the their theirs them themselves
then there there's these they they'd they'll they're they've thing things this those through
to too under until up us very want was wasn't we we'd we'll we're we've were weren't what
what's when when's where where's which while who who's whom why why's will with won't would
wouldn't you you'd you'll you're you've your yours yourself yourselves back district
""".split())

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def words(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD.findall(text.casefold())]


def top_terms(texts: Iterable[str], limit: int = 15, min_count: int = 1
              ) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The ``limit`` most frequent words and two-word phrases (each counted once per text),
    leaving out any used in fewer than ``min_count`` texts."""
    singles: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for text in texts:
        tokens = words(text or "")
        kept = {t for t in tokens if t not in STOP_WORDS and len(t) > 1 and not t.isdigit()}
        singles.update(kept)
        phrases = set()
        for a, b in zip(tokens, tokens[1:], strict=False):
            if a in STOP_WORDS or b in STOP_WORDS or a.isdigit() or b.isdigit():
                continue
            phrases.add(f"{a} {b}")
        pairs.update(phrases)
    order = lambda item: (-item[1], item[0])  # noqa: E731
    return ([w for w in sorted(singles.items(), key=order) if w[1] >= min_count][:limit],
            [p for p in sorted(pairs.items(), key=order) if p[1] >= max(min_count, 2)][:limit])
