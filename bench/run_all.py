"""`make bench`: run every bench/bench_*.py in turn and print their figures.

Each benchmark measures its own baseline in the same run and reports ratios, so figures are
comparable across machines; none of them is a test and none asserts a time.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    only = sys.argv[1:]
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        name = script.stem.removeprefix("bench_")
        if only and name not in only:
            continue
        print(f"\n=== {name} ===", flush=True)
        t = time.monotonic()
        r = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(f"--- {name}: exit {r.returncode}, {time.monotonic() - t:.1f} s", flush=True)
        if r.returncode:
            failed.append(name)
    if failed:
        print(f"\nbenchmarks that failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
