"""Write measured run times and peak memory into the README's course map.

Usage:
    .venv/bin/python -m medcourse run --json results.json
    .venv/bin/python tools/update_course_map.py results.json

Each course-map row (``| NN | [Title](notebooks/NN_name.ipynb) | topics | frameworks | time | memory | links |``)
gets the wall time (rounded to 5 s above a minute) and the kernel's peak memory of its notebook.
"""

import json
import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def format_seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    rounded = int(5 * round(seconds / 5))
    return f"{rounded // 60} min {rounded % 60:02d} s"


def main(results_path: str) -> int:
    results = {r["notebook"]: r for r in json.loads(Path(results_path).read_text())}
    lines = README.read_text().splitlines()
    updated = 0
    for index, line in enumerate(lines):
        match = re.match(r"^\| \d\d \| \[[^\]]+\]\(notebooks/(\S+?\.ipynb)\) \|", line)
        if not match or match.group(1) not in results:
            continue
        result = results[match.group(1)]
        if not result["ok"] or result["peak_memory_mib"] is None:
            print(f"skipping {match.group(1)}: it did not run cleanly", file=sys.stderr)
            continue
        cells = line.split(" | ")
        cells[4] = format_seconds(result["seconds"])
        cells[5] = f"{result['peak_memory_mib']:,.0f} MiB"
        lines[index] = " | ".join(cells)
        updated += 1
    README.write_text("\n".join(lines) + "\n")
    print(f"updated {updated} rows of {README.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
